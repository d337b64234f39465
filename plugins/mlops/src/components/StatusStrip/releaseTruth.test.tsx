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
    const stages: ReleaseStage[] = releaseStages.map(s =>
      s.name === 'MLPipeline'
        ? { ...s, status: 'Succeeded' }
        : s.name === 'Approval'
        ? { ...s, status: 'InProgress', approvalToken: 't' }
        : s,
    );
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
    const stages: ReleaseStage[] = releaseStages.map(s =>
      s.name === 'Approval'
        ? { ...s, status: 'Failed', summary: reason }
        : s.name === 'Deploy'
        ? { ...s, status: 'Succeeded', summary: 'rolled back to version 2' }
        : { ...s, status: 'Succeeded' },
    );
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
