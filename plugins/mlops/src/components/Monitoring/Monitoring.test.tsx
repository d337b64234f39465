import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  entityRef,
  monitoring,
  quietMonitoring,
  trafficPoints,
} from '../../__fixtures__';
import {
  createMockMlopsApi,
  httpError,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { POLL_INTERVAL_MS } from '../../hooks/MlopsEntityDataProvider';
import { renderInTestApp } from '@backstage/test-utils';
import { DriftCard, DriftSummaryView } from './DriftCard';
import { DriftStatusChip } from './MonitoringParts';
import {
  EndpointMonitoringCard,
  errorRate,
  trafficRows,
} from './EndpointMonitoringCard';

describe('trafficRows', () => {
  it('turns buckets into requests per minute, latency and error percent', () => {
    const rows = trafficRows(trafficPoints, '1h');
    expect(rows.map(r => r.rpm)).toEqual([12, 30, 0, 18, 20]);
    expect(rows[3]).toMatchObject({ time: '11:03', p50: 3.5, p99: 14.2 });
    expect(rows[3].errorRate).toBeCloseTo((100 * 3) / 18, 6);
    // No invocations: no error rate and no latency, not a zero.
    expect(rows[2].errorRate).toBeUndefined();
    expect(rows[2].p50).toBeUndefined();
    // 24h buckets are 15 minutes wide.
    expect(trafficRows(trafficPoints, '24h')[1].rpm).toBe(2);
    expect(trafficRows(trafficPoints, '7d')[0].time).toBe('11-26 11:00');
  });

  it('error rate of the totals, "—" without traffic', () => {
    expect(errorRate(monitoring.totals)).toBe('3.8 %');
    expect(errorRate(quietMonitoring.totals)).toBe('—');
  });
});

describe('EndpointMonitoringCard', () => {
  it('shows totals and the three charts of the last hour, and switches window', async () => {
    const { api } = await renderWithEntity(<EndpointMonitoringCard />);
    expect(
      await screen.findByTestId('endpoint-total-invocations'),
    ).toHaveTextContent('80');
    expect(screen.getByTestId('endpoint-total-error-rate')).toHaveTextContent(
      '3.8 %',
    );
    expect(screen.getByTestId('endpoint-total-p50')).toHaveTextContent(
      '3.1 ms',
    );
    expect(screen.getByTestId('endpoint-total-p99')).toHaveTextContent(
      '12.5 ms',
    );
    expect(
      screen.getByText(/abalone-age-predictor-prod serving version 2, last 1h/),
    ).toBeInTheDocument();
    for (const name of [
      'Requests per minute over time',
      'Latency p50 and p99 over time',
      'Error rate over time',
    ]) {
      expect(screen.getByRole('img', { name })).toBeInTheDocument();
    }
    expect(api.getMonitoring).toHaveBeenCalledWith(entityRef, '1h');

    await userEvent.click(screen.getByRole('button', { name: 'Last 24h' }));
    expect(await screen.findByText(/last 24h/)).toBeInTheDocument();
    expect(api.getMonitoring).toHaveBeenLastCalledWith(entityRef, '24h');
    expect(screen.getByRole('button', { name: 'Last 24h' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });

  it('says when nothing is deployed (404) or the engine has no monitoring (501)', async () => {
    for (const status of [404, 501]) {
      const api = createMockMlopsApi({
        getMonitoring: jest.fn(async () => {
          throw httpError(status);
        }),
      });
      const { unmount } = await renderWithEntity(<EndpointMonitoringCard />, {
        api,
      });
      expect(await screen.findByText('Nothing to monitor')).toBeInTheDocument();
      unmount();
    }
  });

  it('says when the endpoint had no traffic, and shows other errors', async () => {
    const api = createMockMlopsApi({
      getMonitoring: jest.fn(async () => quietMonitoring),
    });
    const { unmount } = await renderWithEntity(<EndpointMonitoringCard />, {
      api,
    });
    expect(
      await screen.findByText('No traffic in the last 1h'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('endpoint-total-invocations')).toHaveTextContent(
      '0',
    );
    unmount();
    await renderWithEntity(<EndpointMonitoringCard />, {
      api: createMockMlopsApi({
        getMonitoring: jest.fn(async () => {
          throw httpError(500, 'CloudWatch is down');
        }),
      }),
    });
    expect(
      (await screen.findAllByText(/CloudWatch is down/)).length,
    ).toBeGreaterThan(0);
  });

  it('new predictions appear on the next refresh, a few seconds later', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const api = createMockMlopsApi({
        getMonitoring: jest.fn(async () => quietMonitoring),
      });
      await renderWithEntity(<EndpointMonitoringCard />, { api });
      expect(
        await screen.findByText('No traffic in the last 1h'),
      ).toBeInTheDocument();
      api.getMonitoring.mockResolvedValue(monitoring);
      await act(async () => {
        jest.advanceTimersByTime(POLL_INTERVAL_MS + 10);
      });
      await waitFor(() =>
        expect(
          screen.getByTestId('endpoint-total-invocations'),
        ).toHaveTextContent('80'),
      );
      expect(api.getMonitoring).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('DriftCard', () => {
  it('shows the overall status and each feature with PSI, KS and samples', async () => {
    await renderWithEntity(<DriftCard />);
    expect(await screen.findByTestId('drift-overall-status')).toHaveAttribute(
      'data-status',
      'drift',
    );
    const table = screen.getByRole('table', { name: 'Feature drift' });
    const length = within(table).getByTestId('drift-feature-length');
    expect(length).toHaveTextContent('0.420');
    expect(length).toHaveTextContent('0.310');
    expect(within(length).getByText('Drift')).toBeInTheDocument();
    expect(screen.getByTestId('drift-status-height')).toHaveTextContent(
      'Warning',
    );
    expect(screen.getByTestId('drift-status-diameter')).toHaveTextContent('OK');
    const sex = within(table).getByTestId('drift-feature-sex');
    expect(sex).toHaveTextContent('Not enough data');
    expect(sex).toHaveTextContent('—');
    expect(
      screen.getByText(
        /80 captured inputs compared with the training baseline of version 2/,
      ),
    ).toBeInTheDocument();
  });

  it('names the baseline once when its version is unknown', async () => {
    await renderInTestApp(
      <DriftSummaryView
        drift={{ ...monitoring.drift, baselineVersion: undefined }}
      />,
    );
    const text = screen.getByText(/captured inputs compared with/);
    expect(text).toHaveTextContent(
      /80 captured inputs compared with the training baseline/,
    );
    expect(text.textContent).not.toMatch(/the the/);
    expect(text).toHaveTextContent(
      'UTC; predictions tried from this portal are left out.',
    );
  });

  it('keeps chips and numbers on one line and scrolls in a narrow card', async () => {
    await renderWithEntity(<DriftCard />);
    const table = await screen.findByRole('table', { name: 'Feature drift' });
    expect(table.closest('[data-testid="mlops-table-scroll"]')).toHaveStyle({
      overflowX: 'auto',
    });
    const sex = within(table).getByTestId('drift-feature-sex');
    for (const cell of [
      ...within(table).getAllByRole('columnheader'),
      within(sex).getByText('Not enough data').closest('td'),
    ]) {
      expect(cell).toHaveStyle({ whiteSpace: 'nowrap', wordBreak: 'normal' });
    }
  });

  it('shows baseline vs recent distribution of a feature on expand', async () => {
    await renderWithEntity(<DriftCard />);
    const expand = await screen.findByRole('button', {
      name: 'Show the distribution of length',
    });
    expect(
      screen.queryByRole('img', {
        name: 'length: baseline vs recent distribution',
      }),
    ).not.toBeInTheDocument();
    await userEvent.click(expand);
    expect(
      await screen.findByRole('img', {
        name: 'length: baseline vs recent distribution',
      }),
    ).toBeInTheDocument();
    expect(expand).toHaveAttribute('aria-expanded', 'true');
    await userEvent.click(
      screen.getByRole('button', { name: 'Show the distribution of sex' }),
    );
    expect(
      await screen.findByText(
        'The engine gives no distribution for this feature.',
      ),
    ).toBeInTheDocument();
  });

  it('shares one request with the endpoint card for the same window', async () => {
    const { api } = await renderWithEntity(
      <>
        <EndpointMonitoringCard />
        <DriftCard />
      </>,
    );
    await screen.findByTestId('drift-overall-status');
    await screen.findByTestId('endpoint-total-invocations');
    expect(api.getMonitoring).toHaveBeenCalledTimes(1);
  });
});

/** WCAG 2.x contrast ratio of two CSS colours (`#rrggbb` or `rgb(r, g, b)`). */
function contrast(a: string, b: string): number {
  const channels = (c: string) =>
    c.startsWith('#')
      ? [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16))
      : c.match(/\d+/g)!.slice(0, 3).map(Number);
  const luminance = (c: string) => {
    const [r, g, b2] = channels(c).map(v => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('DriftSummaryView for a classifier', () => {
  it('shows a categorical feature with L∞, unseen categories and category shares, and predicted-class shares', async () => {
    await renderInTestApp(
      <DriftSummaryView
        drift={{
          status: 'drift',
          sampleCount: 150,
          baselineVersion: 4,
          features: [
            {
              feature: 'island',
              type: 'categorical',
              psi: 0.3,
              ks: null,
              linf: 0.22,
              unseenCategories: ['Anvers'],
              status: 'drift',
              sampleCount: 150,
              distribution: [
                { label: 'Biscoe', baseline: 0.48, recent: 0.3 },
                { label: 'Dream', baseline: 0.37, recent: 0.5 },
                { label: 'Torgersen', baseline: 0.15, recent: 0.2 },
              ],
            },
            {
              feature: 'body_mass_g',
              type: 'numeric',
              psi: 0.02,
              ks: 0.05,
              status: 'ok',
              sampleCount: 150,
            },
          ],
          predictions: [
            { label: 'Adelie', baseline: 0.44, recent: 0.3 },
            { label: 'Chinstrap', baseline: 0.2, recent: 0.2 },
            { label: 'Gentoo', baseline: 0.36, recent: 0.5 },
          ],
        }}
      />,
    );
    const table = screen.getByRole('table', { name: 'Feature drift' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toContain('L∞');
    const island = within(table).getByTestId('drift-feature-island');
    expect(island).toHaveTextContent('0.220');
    expect(screen.getByTestId('drift-unseen-island')).toHaveTextContent(
      'unseen: Anvers',
    );
    // numeric features keep KS, with no L∞
    expect(
      within(table).getByTestId('drift-feature-body_mass_g'),
    ).toHaveTextContent('0.050—150');
    await userEvent.click(
      screen.getByRole('button', { name: 'Show the distribution of island' }),
    );
    expect(await screen.findByTestId('drift-shares-island')).toHaveTextContent(
      'Biscoe 48% → 30%, Dream 37% → 50%, Torgersen 15% → 20%',
    );
    expect(screen.getByTestId('drift-predictions')).toHaveTextContent(
      'Adelie 44% → 30%, Chinstrap 20% → 20%, Gentoo 36% → 50%',
    );
    expect(
      screen.getByRole('img', {
        name: 'Predicted class shares: baseline vs recent',
      }),
    ).toBeInTheDocument();
  });
});

describe('DriftStatusChip', () => {
  it('keeps every status at WCAG AA text contrast (the /mlops health column)', async () => {
    const statuses = ['ok', 'warn', 'drift', 'insufficient_data'] as const;
    await renderInTestApp(
      <>
        {statuses.map(s => (
          <DriftStatusChip key={s} status={s} testId={`chip-${s}`} />
        ))}
      </>,
    );
    for (const s of statuses) {
      const style = screen.getByTestId(`chip-${s}`).style;
      const background = style.backgroundColor || 'rgb(255, 255, 255)';
      const ratio = contrast(style.color, background);
      // Named, so a failure says which status.
      expect({ status: s, aa: ratio >= 4.5 }).toEqual({ status: s, aa: true });
    }
  });
});
