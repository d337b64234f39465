import { Table, type TableColumn } from '@backstage/core-components';
import { MTableBodyRow } from '@material-table/core';
import { useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';

export type { TableColumn };

// Inside an InfoCard the table needs no Paper of its own.
const Container = (props: { children?: ReactNode }) => <>{props.children}</>;

/**
 * Backstage's Table as the MLOps views use it: a plain list in the given
 * order (no paging, search or toolbar; newest-first orders come from the
 * API), dense, with an accessible name and optional per-row test ids.
 */
export function MlopsTable<T extends object>(props: {
  /** Accessible name of the table, e.g. "Pipeline runs". */
  label: string;
  columns: TableColumn<T>[];
  data: T[];
  rowTestId?: (row: T) => string;
  emptyContent?: ReactNode;
  /** Header cells stay on one line; long tables scroll sideways instead. */
  nowrapHeader?: boolean;
}) {
  const { label, rowTestId, nowrapHeader } = props;
  const box = useRef<HTMLDivElement>(null);
  // material-table renders the <table> itself and takes no aria props for it.
  useLayoutEffect(() => {
    box.current?.querySelector('table')?.setAttribute('aria-label', label);
  });
  const components = useMemo(
    () =>
      rowTestId
        ? {
            Container,
            Row: (rowProps: { data: T }) => (
              <MTableBodyRow
                {...rowProps}
                data-testid={rowTestId(rowProps.data)}
              />
            ),
          }
        : { Container },
    [rowTestId],
  );
  // material-table writes its own bookkeeping into row objects; keep the
  // shared store's values untouched.
  const data = useMemo(() => props.data.map(d => ({ ...d })), [props.data]);
  return (
    <div ref={box} style={{ width: '100%' }}>
      <Table<T>
        columns={props.columns}
        data={data}
        emptyContent={props.emptyContent}
        components={components}
        options={{
          paging: false,
          search: false,
          toolbar: false,
          sorting: false,
          draggable: false,
          padding: 'dense',
          headerStyle: nowrapHeader ? { whiteSpace: 'nowrap' } : undefined,
        }}
      />
    </div>
  );
}
