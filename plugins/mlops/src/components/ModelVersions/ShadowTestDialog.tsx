import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { startShadowTestBodySchema } from '@mlops-portal/plugin-mlops-common';

/**
 * Starts a shadow test of a version: a share of live requests is copied to
 * it without it answering; the deployments card compares it with the
 * serving version.
 */
export function ShadowTestDialog(props: {
  version?: number;
  onClose: () => void;
  onSubmit: (request: {
    modelVersion: number;
    samplePercent: number;
    comment?: string;
  }) => Promise<void>;
}) {
  const [percent, setPercent] = useState('100');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const parsed = startShadowTestBodySchema.safeParse({
    modelVersion: props.version ?? 1,
    samplePercent: Number(percent),
  });
  const percentError = parsed.success
    ? undefined
    : 'Sample share must be a whole percent from 1 to 100';
  const close = () => {
    setPercent('100');
    setComment('');
    setError(undefined);
    props.onClose();
  };
  const submit = async () => {
    if (props.version === undefined || percentError) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit({
        modelVersion: props.version,
        samplePercent: Number(percent),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      close();
    } catch (e: any) {
      setError(e?.message ?? String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={props.version !== undefined}
      onClose={close}
      aria-labelledby="mlops-shadow-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="mlops-shadow-title">
        Shadow test version {props.version}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          Version {props.version} gets a copy of live requests; the serving
          version still answers them. Compare latency, errors and predictions on
          the deployments card, then promote or stop it.
        </DialogContentText>
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
        <TextField
          id="mlops-shadow-percent"
          label="Sample share"
          type="number"
          value={percent}
          onChange={e => setPercent(e.target.value)}
          error={Boolean(percentError)}
          helperText={percentError ?? 'percent of live requests copied'}
          inputProps={{ min: 1, max: 100 }}
          margin="dense"
        />
        <TextField
          fullWidth
          id="mlops-shadow-comment"
          label="Comment (optional)"
          value={comment}
          onChange={e => setComment(e.target.value)}
          inputProps={{ maxLength: 1000 }}
          margin="dense"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          variant="contained"
          color="primary"
          disabled={busy || Boolean(percentError)}
          onClick={submit}
          data-testid="shadow-start"
        >
          Start shadow test
        </Button>
      </DialogActions>
    </Dialog>
  );
}
