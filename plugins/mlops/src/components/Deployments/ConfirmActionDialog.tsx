import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';

export interface PendingAction {
  title: string;
  /** What happens, in words, before the person confirms. */
  effect: string;
  confirmLabel: string;
  run: (comment?: string) => Promise<void>;
}

/**
 * Confirms an owner action on the endpoint (pause, roll back, stop a shadow
 * test …) with an optional comment for the audit trail; the request's error
 * stays in the dialog so the person can retry or cancel.
 */
export function ConfirmActionDialog(props: {
  action?: PendingAction;
  onClose: () => void;
}) {
  const { action } = props;
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const close = () => {
    setComment('');
    setError(undefined);
    props.onClose();
  };
  const confirm = async () => {
    if (!action) return;
    setBusy(true);
    setError(undefined);
    try {
      await action.run(comment.trim() || undefined);
      close();
    } catch (e: any) {
      setError(e?.message ?? String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={Boolean(action)}
      onClose={busy ? undefined : close}
      aria-labelledby="mlops-confirm-action-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="mlops-confirm-action-title">{action?.title}</DialogTitle>
      <DialogContent>
        <DialogContentText>{action?.effect}</DialogContentText>
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
        <TextField
          fullWidth
          multiline
          minRows={2}
          id="mlops-confirm-action-comment"
          label="Comment (optional, for the audit trail)"
          value={comment}
          onChange={e => setComment(e.target.value)}
          inputProps={{ maxLength: 1000 }}
          margin="dense"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={close} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          color="primary"
          onClick={confirm}
          disabled={busy}
          data-testid="confirm-action"
        >
          {busy ? 'Working…' : action?.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
