import { screen, waitFor } from '@testing-library/react';
import type { ReleaseStage } from '@mlops-portal/plugin-mlops-common';
import { deployments, modelVersions, releaseStages } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { ReleasePipelineCard } from '../ReleasePipeline/ReleasePipelineCard';
import { StatusCard } from './StatusStrip';

const reason =
  'Version 3 was rejected by user:default/guest: residuals drift at large shells; the endpoint was rolled back to version 2 which was approved on 2026-11-24 and has served since without errors';

describe('the release card and the strip tell what serves, truthfully', () => {
  it('after approving v2 while v3 waited: the latest run has not deployed, v2 serves', async () => {
    // the latest release run waits at Approval for v3; its Deploy has not started
    const waitingAt: Record<string, Partial<ReleaseStage>> = {
      MLPipeline: { status: 'Succeeded' },
      Approval: { status: 'InProgress', approvalToken: 't' },
    };
    const stages: ReleaseStage[] = releaseStages.map(s => ({
      ...s,
      ...waitingAt[s.name],
    }));
    const api = createMockMlopsApi({
      getRelease: jest.fn(async () => ({ stages })),
    });
    await renderWithEntity(
      <>
        <StatusCard />
        <ReleasePipelineCard />
      </>,
      { api },
    );
    await waitFor(() =>
      expect(screen.getByTestId('release-serving')).toHaveTextContent(
        'Serving now: version 2 (endpoint In service)',
      ),
    );
    expect(screen.getByTestId('release-serving')).toHaveTextContent(
      'Waiting for approval: version 3.',
    );
    expect(screen.getByTestId('release-stage-Deploy')).toHaveAttribute(
      'data-status',
      'NotStarted',
    );
    expect(screen.getByTestId('glance-serving')).toHaveTextContent('Version 2');
  });

  it('after a rollback: names the restored version and shows the whole reason', async () => {
    const rolledBack: Record<string, Partial<ReleaseStage>> = {
      Approval: { status: 'Failed', summary: reason },
      Deploy: { status: 'Succeeded', summary: 'rolled back to version 2' },
    };
    const stages: ReleaseStage[] = releaseStages.map(s => ({
      ...s,
      status: 'Succeeded',
      ...rolledBack[s.name],
    }));
    const api = createMockMlopsApi({
      getRelease: jest.fn(async () => ({ stages })),
      listModelVersions: jest.fn(async () => ({
        items: [
          { ...modelVersions[0], approvalStatus: 'Rejected' },
          ...modelVersions.slice(1),
        ],
      })),
      getDeployments: jest.fn(async () => ({
        ...deployments,
        deployments: deployments.deployments.map(d => ({
          ...d,
          reason: 'rollback',
        })),
      })),
    });
    await renderWithEntity(
      <>
        <StatusCard />
        <ReleasePipelineCard />
      </>,
      { api },
    );
    await waitFor(() =>
      expect(screen.getByTestId('release-serving')).toHaveTextContent(
        /Serving now: version 2 \(endpoint In service\) — rollback/,
      ),
    );
    expect(screen.getByTestId('release-serving')).not.toHaveTextContent(
      'Waiting',
    );
    expect(screen.getByTestId('release-stage-Approval')).toHaveTextContent(
      reason,
    );
    expect(screen.getByTestId('glance-waiting')).toHaveTextContent(
      'Nothing to decide',
    );
  });
});
