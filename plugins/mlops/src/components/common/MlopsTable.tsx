import {
  OverflowTooltip,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { MTableBodyRow } from '@material-table/core';
import {
  useLayoutEffect,
  useMemo,
  useRef,
  type CSSProperties,
  type ReactNode,
} from 'react';

export type { TableColumn };

/*
 * Backstage's theme gives every table cell `word-break: break-word`, which
 * lets a squeezed column break "Approve" or a timestamp anywhere. MLOps cells
 * hold buttons, chips, ids, numbers and times: they stay on one line and a
 * table wider than its card scrolls sideways instead.
 */
export const NOWRAP_CELL: CSSProperties = {
  whiteSpace: 'nowrap',
  wordBreak: 'normal',
};
/**
 * Names and free text may wrap where a browser may (spaces, hyphens), never
 * inside a word.
 */
export const WRAP_AT_SPACES: CSSProperties = { whiteSpace: 'normal' };
// Card tables are dense: 10 px a side instead of the theme's 16 + 20, so
// the runs and versions tables fit a full-width card at 1440 px.
const PADDING: CSSProperties = { paddingLeft: 10, paddingRight: 10 };
const TEXT_BOX: CSSProperties = {
  display: 'block',
  minWidth: '10em',
  maxWidth: '28em',
  // The theme's cell line-height of 1 would clip descenders when clamped.
  lineHeight: 1.4,
  wordBreak: 'normal',
  // Only a single token wider than the box (a URI) is broken.
  overflowWrap: 'break-word',
};

/** Long free text: at most `lines` lines, the whole text in a tooltip. */
export function CellText(props: { text?: string | null; lines?: number }) {
  if (!props.text) return <>—</>;
  return (
    <span style={TEXT_BOX} data-testid="mlops-cell-text">
      <OverflowTooltip text={props.text} line={props.lines ?? 2} />
    </span>
  );
}

/** A column of free text (comments, failure reasons) shown with CellText. */
export function textColumn<T extends object>(
  title: string,
  text: (row: T) => string | null | undefined,
): TableColumn<T> {
  return {
    title,
    cellStyle: WRAP_AT_SPACES,
    render: row => <CellText text={text(row)} />,
  };
}

/** The box a table scrolls sideways in when its card is narrower. */
export function TableScroll(props: { children?: ReactNode }) {
  return (
    <div
      data-testid="mlops-table-scroll"
      style={{ width: '100%', maxWidth: '100%', overflowX: 'auto' }}
    >
      {props.children}
    </div>
  );
}

type CellStyle<T extends object> = TableColumn<T>['cellStyle'];

function withCellDefaults<T extends object>(style: CellStyle<T>): CellStyle<T> {
  if (typeof style === 'function') {
    return (data, row, column) => ({
      ...NOWRAP_CELL,
      ...PADDING,
      ...style(data, row, column),
    });
  }
  return { ...NOWRAP_CELL, ...PADDING, ...style };
}

// Inside an InfoCard the table needs no Paper of its own; it fills the
// card's width (Backstage's Table root is a flex row).
const Container = (props: { children?: ReactNode }) => (
  <div style={{ flex: 1, minWidth: 0 }}>{props.children}</div>
);

/**
 * Backstage's Table as the MLOps views use it: a plain list in the given
 * order (no paging, search or toolbar; newest-first orders come from the
 * API), dense, with an accessible name and optional per-row test ids.
 * Headers and cells stay on one line (see NOWRAP_CELL) unless a column opts
 * into wrapping (textColumn); the table scrolls sideways in a narrow card.
 */
export function MlopsTable<T extends object>(props: {
  /** Accessible name of the table, e.g. "Pipeline runs". */
  label: string;
  columns: TableColumn<T>[];
  data: T[];
  rowTestId?: (row: T) => string;
  emptyContent?: ReactNode;
}) {
  const { label, rowTestId } = props;
  const box = useRef<HTMLDivElement>(null);
  // material-table renders the <table> itself and takes no aria props for it.
  useLayoutEffect(() => {
    const root = box.current;
    root?.querySelector('table')?.setAttribute('aria-label', label);
    // A box that scrolls must be reachable by keyboard (WCAG 2.1.1): the
    // sideways scroll and material-table's own overflow boxes, when they
    // do scroll, become named, focusable regions.
    root
      ?.querySelectorAll<HTMLElement>('div[style*="overflow"]')
      .forEach(el => {
        const scrolls =
          el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
        if (scrolls) {
          el.tabIndex = 0;
          el.setAttribute('role', 'region');
          el.setAttribute('aria-label', `${label} (scrolls)`);
        } else if (el.getAttribute('role') === 'region') {
          el.removeAttribute('tabindex');
          el.removeAttribute('role');
          el.removeAttribute('aria-label');
        }
      });
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
  const columns = useMemo(
    () =>
      props.columns.map(c => ({
        ...c,
        // material-table otherwise gives each column an equal share of the
        // width it measured, squeezing wide columns; let content decide.
        width: c.width ?? 'auto',
        cellStyle: withCellDefaults(c.cellStyle),
      })),
    [props.columns],
  );
  // material-table writes its own bookkeeping into row objects; keep the
  // shared store's values untouched.
  const data = useMemo(() => props.data.map(d => ({ ...d })), [props.data]);
  return (
    <div ref={box}>
      <TableScroll>
        <Table<T>
          columns={columns}
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
            headerStyle: { ...NOWRAP_CELL, ...PADDING },
          }}
        />
      </TableScroll>
    </div>
  );
}
