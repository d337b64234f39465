import Alert from '@material-ui/lab/Alert';
import type { PipelineExecutionDetail } from '@mlops-portal/plugin-mlops-common';

/** What the engine could not read for this run, so its detail is incomplete. */
export function ExecutionWarnings(props: {
  run: Pick<PipelineExecutionDetail, 'warnings'>;
}) {
  if (!props.run.warnings?.length) return null;
  return (
    <>
      {props.run.warnings.map(w => (
        <Alert key={w} severity="warning" style={{ marginTop: 8 }}>
          {w}
        </Alert>
      ))}
    </>
  );
}
