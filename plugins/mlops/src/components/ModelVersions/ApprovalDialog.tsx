import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useState } from 'react';
import type {
  DeploymentStrategy,
  ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { useGovernance } from '../../hooks/useMlopsEntityData';
import { formatMetrics, metricKeysOf } from '../common/metrics';
import {
  DeploymentStrategyField,
  type StrategyChoice,
} from './DeploymentStrategyField';

export type ApprovalDecision = 'Approved' | 'Rejected';

/**
 * Approve or reject one version. The comment is required: it is the audit
 * trail's "why" and the backend refuses a decision without one.
 */
export function ApprovalDialog(props: {
  version?: ModelVersion;
  decision: ApprovalDecision;
  onClose: () => void;
  /** `deployment`: an approval's override of the system's strategy (absent: its default). */
  onSubmit: (comment: string, deployment?: DeploymentStrategy) => Promise<void>;
}) {
  const { version, decision } = props;
  const [comment, setComment] = useState('');
  const [touched, setTouched] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string>();
  const [strategy, setStrategy] = useState<StrategyChoice>({ invalid: false });
  const onStrategy = useCallback((c: StrategyChoice) => setStrategy(c), []);
  const systemDefault = useGovernance().value?.deployment;
  const approve = decision === 'Approved';
  const empty = comment.trim() === '';
  const tooLong = comment.length > 1000;

  let helperText = 'Why? Recorded with your name in the approval history.';
  if (touched && empty)
    helperText = 'A comment is required: say why, for the audit trail.';
  else if (tooLong) helperText = 'At most 1000 characters.';

  const close = () => {
    setComment('');
    setTouched(false);
    setError(undefined);
    props.onClose();
  };

  const submit = async () => {
    setTouched(true);
    if (empty || tooLong || (approve && strategy.invalid)) return;
    setSubmitting(true);
    setError(undefined);
    try {
      await props.onSubmit(
        comment.trim(),
        approve ? strategy.deployment : undefined,
      );
      close();
    } catch (e: any) {
      setError(e.message);
    } finally {
      setSubmitting(false);
    }
  };

  const title = `${approve ? 'Approve' : 'Reject'} version ${
    version?.version ?? ''
  }`;
  return (
    <Dialog
      open={Boolean(version)}
      onClose={close}
      aria-labelledby="mlops-approval-title"
      fullWidth
    >
      <DialogTitle id="mlops-approval-title">{title}</DialogTitle>
      <DialogContent>
        {version && (
          <DialogContentText>
            {approve
              ? 'Approving deploys this version to the endpoint, replacing the one it serves now (how: below).'
              : 'Rejecting keeps this version off the endpoint; if it is deployed, the previous approved version is restored.'}{' '}
            Test metrics:{' '}
            {formatMetrics(version.metrics, metricKeysOf([version]))}.
          </DialogContentText>
        )}
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
        <TextField
          required
          fullWidth
          multiline
          minRows={3}
          id="mlops-approval-comment"
          label="Comment"
          value={comment}
          onChange={e => setComment(e.target.value)}
          onBlur={() => setTouched(true)}
          error={touched && (empty || tooLong)}
          helperText={helperText}
          margin="dense"
        />
        {approve && version && (
          <DeploymentStrategyField
            // the form starts from the default: again once it has loaded
            key={JSON.stringify(systemDefault ?? null)}
            systemDefault={systemDefault}
            onChange={onStrategy}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          variant="contained"
          color={approve ? 'primary' : 'secondary'}
          disabled={
            submitting ||
            (touched && (empty || tooLong)) ||
            (approve && strategy.invalid)
          }
          onClick={submit}
        >
          {approve ? 'Approve' : 'Reject'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
