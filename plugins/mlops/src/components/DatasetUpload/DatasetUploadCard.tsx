import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { usePermission } from '@backstage/plugin-permission-react';
import { useRef, useState, type DragEvent } from 'react';
import {
  mlopsDatasetUploadPermission,
  type DatasetRowError,
  type SystemSpecResponse,
  type UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import { getRowErrors, mlopsApiRef } from '../../api';
import {
  useMlopsRefresh,
  withMlopsEntityData,
} from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';
import { useSystemSpec } from '../../hooks/useMlopsEntityData';
import {
  MlopsTable,
  WRAP_AT_SPACES,
  type TableColumn,
} from '../common/MlopsTable';
import { PermissionButton } from '../common/PermissionButton';
import { uploadFile, type UploadProgress } from './uploadFile';

export { MAX_UPLOAD_BYTES } from './uploadFile';
const MAX_ROWS_SHOWN = 100;

const useStyles = makeStyles(theme => ({
  zone: {
    border: `2px dashed ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(3),
    textAlign: 'center',
  },
  active: { borderColor: theme.palette.primary.main },
  disabled: { opacity: 0.7 },
}));

const UPLOAD_DENIED =
  'You are not allowed to upload datasets for this entity (only its owners can).';

const rowErrorColumns: TableColumn<DatasetRowError>[] = [
  { title: 'Row', field: 'row' },
  { title: 'Column', field: 'column' },
  { title: 'Value', render: r => r.value ?? '' },
  // The reason is the point of the table: shown whole, wrapping, never clipped.
  {
    title: 'Problem',
    cellStyle: { ...WRAP_AT_SPACES, minWidth: '16em' },
    render: r => r.reason,
  },
];

const formatMiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * The columns the entity's spec expects, as one line (`a, b, c; no header`),
 * or undefined when the spec cannot be read (the API then names what is wrong).
 */
export function expectedColumns(spec?: SystemSpecResponse): string | undefined {
  const dataset = spec?.spec.spec.dataset as
    | { header?: boolean; target?: string; columns?: Array<{ name?: unknown }> }
    | undefined;
  if (!dataset) return undefined;
  const names = (dataset.columns ?? [])
    .map(c => c.name)
    .filter((n): n is string => typeof n === 'string');
  if (dataset.header)
    return `a header row naming the columns${
      dataset.target ? ` (target: ${dataset.target})` : ''
    }`;
  return names.length ? `columns ${names.join(', ')}; no header` : undefined;
}

/** Drop a CSV with the columns of the entity's ML system spec to start a release. */
export const DatasetUploadCard = withMlopsEntityData(
  function DatasetUploadCardContent() {
    const classes = useStyles();
    const api = useApi(mlopsApiRef);
    const alertApi = useApi(alertApiRef);
    const entityRef = useEntityRef();
    const refresh = useMlopsRefresh();
    // only to say which columns to send; the backend checks every row
    const columns = expectedColumns(useSystemSpec().value);
    const input = useRef<HTMLInputElement>(null);
    const [dragging, setDragging] = useState(false);
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState<string>();
    const [rowErrors, setRowErrors] = useState<DatasetRowError[]>();
    const [done, setDone] = useState<UploadDatasetResponse>();
    const [progress, setProgress] = useState<UploadProgress>();
    const cancel = useRef<AbortController>();
    const permission = usePermission({
      permission: mlopsDatasetUploadPermission,
      resourceRef: entityRef,
    });
    // A viewer sees why, before dropping anything (the server refuses too).
    const denied = !permission.loading && !permission.allowed;

    const upload = async (file: File) => {
      setError(undefined);
      setRowErrors(undefined);
      setDone(undefined);
      if (!/\.(csv|data|txt)$/i.test(file.name)) {
        setError(`${file.name}: expected a .csv file`);
        return;
      }
      setBusy(true);
      setProgress(undefined);
      cancel.current = new AbortController();
      try {
        const res = await uploadFile(api, entityRef, file, {
          onProgress: setProgress,
          signal: cancel.current.signal,
        });
        setDone(res);
        alertApi.post({
          message: `Uploaded ${file.name}${
            res.execution ? `; run ${res.execution.executionId} started` : ''
          }`,
          severity: 'success',
          display: 'transient',
        });
        refresh(['runs', 'release']);
      } catch (e: any) {
        const rows = getRowErrors(e);
        // With row errors, the table is the detail: the alert only counts them.
        let message: string = e.message;
        if (e.name === 'AbortError') message = `${file.name}: upload cancelled`;
        else if (rows && rows.length > 0) {
          message = `${file.name}: ${rows.length} invalid row${
            rows.length === 1 ? '' : 's'
          } (listed below); nothing was stored.`;
        }
        setError(message);
        setRowErrors(rows);
      } finally {
        setBusy(false);
        setProgress(undefined);
      }
    };

    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      if (denied || permission.loading || busy) return;
      const file = e.dataTransfer?.files?.[0];
      if (file) upload(file);
    };

    return (
      <InfoCard
        title="Upload dataset"
        subheader="A new file writes a data manifest and starts a release"
      >
        <Box
          className={`${classes.zone} ${
            dragging && !denied ? classes.active : ''
          } ${denied ? classes.disabled : ''}`}
          data-testid="dataset-dropzone"
          aria-disabled={denied || undefined}
          onDragOver={e => {
            e.preventDefault();
            if (!denied) setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          {denied ? (
            <Typography gutterBottom data-testid="dataset-dropzone-denied">
              {UPLOAD_DENIED}
            </Typography>
          ) : (
            <Typography gutterBottom>
              Drag and drop a CSV here (
              {columns ?? "the columns of this system's spec"}; each row is
              checked against it), or
            </Typography>
          )}
          <input
            ref={input}
            type="file"
            accept=".csv,text/csv"
            hidden
            data-testid="dataset-file-input"
            aria-label="Dataset file"
            onChange={e => {
              const file = e.target.files?.[0];
              if (file) upload(file);
              e.target.value = '';
            }}
          />
          <PermissionButton
            permission={mlopsDatasetUploadPermission}
            entityRef={entityRef}
            deniedReason={UPLOAD_DENIED}
            variant="contained"
            color="primary"
            disabled={busy}
            onClick={() => input.current?.click()}
          >
            Upload dataset
          </PermissionButton>
        </Box>
        {busy && !progress && <Typography>Uploading…</Typography>}
        {busy && progress && (
          <Box marginTop={1} data-testid="upload-progress">
            <LinearProgress
              variant="determinate"
              value={(100 * progress.uploadedBytes) / progress.totalBytes}
              aria-label="Upload progress"
            />
            <Typography variant="caption">
              {progress.uploadedBytes === progress.totalBytes
                ? 'Validating…'
                : `Uploading… ${formatMiB(
                    progress.uploadedBytes,
                  )} of ${formatMiB(progress.totalBytes)}`}
            </Typography>
            <Button size="small" onClick={() => cancel.current?.abort()}>
              Cancel
            </Button>
          </Box>
        )}
        {done && (
          <Alert severity="success" style={{ marginTop: 8 }}>
            Stored as manifest {done.manifest.manifestId}
            {done.manifest.rowCount !== undefined
              ? ` (${done.manifest.rowCount} rows)`
              : ''}
            {done.execution
              ? `; run ${done.execution.executionId} started.`
              : '.'}
          </Alert>
        )}
        {error && (
          <Alert severity="error" role="alert" style={{ marginTop: 8 }}>
            {error}
          </Alert>
        )}
        {rowErrors && rowErrors.length > 0 && (
          <>
            <MlopsTable
              label="Dataset row errors"
              columns={rowErrorColumns}
              data={rowErrors.slice(0, MAX_ROWS_SHOWN)}
            />
            {rowErrors.length > MAX_ROWS_SHOWN && (
              <Typography variant="caption">
                Showing the first {MAX_ROWS_SHOWN} of {rowErrors.length}.
              </Typography>
            )}
          </>
        )}
      </InfoCard>
    );
  },
);
