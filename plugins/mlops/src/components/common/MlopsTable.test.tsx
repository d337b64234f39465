import { screen, within } from '@testing-library/react';
import Button from '@material-ui/core/Button';
import { renderInTestApp } from '@backstage/test-utils';
import { MlopsTable, textColumn, type TableColumn } from './MlopsTable';

type Row = { id: number; at: string; note?: string };

const LONG_NOTE =
  'Residuals look fine on the holdout set, but the shell weight feature was re-scaled by the new upload and needs a second look before the next release';

const columns: TableColumn<Row>[] = [
  { title: 'Version number', field: 'id' },
  { title: 'Created at', field: 'at', cellStyle: { color: 'rgb(255, 0, 0)' } },
  {
    title: 'Decision',
    cellStyle: () => ({ fontWeight: 700 }),
    render: r => <Button size="small">{`Approve ${r.id}`}</Button>,
  },
  textColumn('Why', r => r.note),
];

const rows: Row[] = [
  { id: 1, at: '2026-11-26 10:00:00 UTC', note: LONG_NOTE },
  { id: 2, at: '2026-11-26 11:00:00 UTC' },
];

async function renderTable() {
  await renderInTestApp(
    <MlopsTable label="Things" columns={columns} data={rows} />,
  );
  return screen.getByRole('table', { name: 'Things' });
}

describe('MlopsTable', () => {
  it('scrolls sideways inside its card instead of squeezing columns', async () => {
    const table = await renderTable();
    const scroll = table.closest('[data-testid="mlops-table-scroll"]');
    expect(scroll).toHaveStyle({ overflowX: 'auto', maxWidth: '100%' });
  });

  it('keeps headers and ordinary cells on one line, never breaking a word', async () => {
    const table = await renderTable();
    for (const header of within(table).getAllByRole('columnheader')) {
      expect(header).toHaveStyle({ whiteSpace: 'nowrap' });
    }
    const button = within(table).getByRole('button', { name: 'Approve 1' });
    const cells = [
      within(table).getByText('2026-11-26 10:00:00 UTC').closest('td'),
      button.closest('td'),
    ];
    for (const cell of cells) {
      expect(cell).toHaveStyle({ whiteSpace: 'nowrap', wordBreak: 'normal' });
    }
    // Content decides column widths, not material-table's equal shares.
    expect(within(table).getAllByRole('columnheader')[0]).toHaveStyle({
      width: 'auto',
    });
    expect(cells[0]).toHaveStyle({ width: 'auto' });
    // A column's own cell style (object or function) is kept on top.
    expect(cells[0]).toHaveStyle({ color: 'rgb(255, 0, 0)' });
    expect(cells[1]).toHaveStyle({ fontWeight: 700 });
  });

  it('lets free text wrap between words, clamped, with the whole text as a tooltip', async () => {
    const table = await renderTable();
    const text = within(table).getByText(LONG_NOTE);
    const cell = text.closest('td')!;
    expect(cell).toHaveStyle({ whiteSpace: 'normal' });
    const box = within(cell).getByTestId('mlops-cell-text');
    expect(box).toHaveStyle({ wordBreak: 'normal', maxWidth: '28em' });
    expect(text).toHaveAttribute('title', LONG_NOTE);
    // No text: a dash, not an empty tooltip.
    const second = within(table).getByText('Approve 2').closest('tr')!;
    expect(within(second).getAllByRole('cell')[3]).toHaveTextContent('—');
  });
});
