import {
  DependencyGraph,
  DependencyGraphTypes,
} from '@backstage/core-components';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import type { PipelineStep } from '@mlops-portal/plugin-mlops-common';
import { formatDuration } from '../common/format';
import { statusLabel } from '../common/statusLabels';

const NODE_WIDTH = 180;
const NODE_HEIGHT = 66;

type StepNode = PipelineStep & { id: string };

const useStyles = makeStyles(theme => ({
  name: { fill: theme.palette.text.primary, fontWeight: 600, fontSize: 13 },
  detail: { fill: theme.palette.text.secondary, fontSize: 11 },
}));

function statusColor(status: string, theme: any): string {
  switch (status) {
    case 'Succeeded':
      return theme.palette.success?.main ?? '#2e7d32';
    case 'Failed':
      return theme.palette.error.main;
    case 'Executing':
    case 'Starting':
    case 'Stopping':
      return theme.palette.info?.main ?? '#1976d2';
    case 'Stopped':
      return theme.palette.warning?.main ?? '#ed6c02';
    default:
      return theme.palette.grey[500];
  }
}

function StepNodeView({ node }: { node: StepNode }) {
  const classes = useStyles();
  const theme = useTheme();
  const color = statusColor(node.status, theme);
  const running = node.status === 'Executing' || node.status === 'Starting';
  const progress =
    typeof node.progress === 'number'
      ? Math.max(0, Math.min(1, node.progress))
      : undefined;
  return (
    <g data-testid={`dag-step-${node.name}`} data-status={node.status}>
      <title>
        {`${node.name} (${node.type}): ${statusLabel(node.status)}${
          node.failureReason ? ` — ${node.failureReason}` : ''
        }`}
      </title>
      <rect
        width={NODE_WIDTH}
        height={NODE_HEIGHT}
        rx={6}
        fill={theme.palette.background.paper}
        stroke={color}
        strokeWidth={running ? 3 : 2}
        strokeDasharray={node.status === 'NotStarted' ? '4 3' : undefined}
      />
      <text x={10} y={20} className={classes.name}>
        {node.name}
      </text>
      <text x={10} y={37} className={classes.detail}>
        {`${statusLabel(node.status)} · ${node.type}`}
      </text>
      <text x={10} y={53} className={classes.detail}>
        {node.startTime ? formatDuration(node.startTime, node.endTime) : '—'}
        {progress !== undefined && running
          ? ` · ${Math.round(progress * 100)}%`
          : ''}
      </text>
      {progress !== undefined && running && (
        <g
          role="progressbar"
          aria-label={`${node.name} progress`}
          aria-valuenow={Math.round(progress * 100)}
        >
          <rect
            x={0}
            y={NODE_HEIGHT - 5}
            width={NODE_WIDTH}
            height={5}
            fill={theme.palette.grey[300]}
          />
          <rect
            x={0}
            y={NODE_HEIGHT - 5}
            width={NODE_WIDTH * progress}
            height={5}
            fill={color}
          />
        </g>
      )}
    </g>
  );
}

/** The ML pipeline DAG of one execution, each step coloured by its status. */
export function PipelineDag(props: { steps: PipelineStep[] }) {
  const nodes: StepNode[] = props.steps.map(s => ({ ...s, id: s.name }));
  const names = new Set(props.steps.map(s => s.name));
  const edges = props.steps.flatMap(s =>
    s.dependsOn.filter(d => names.has(d)).map(d => ({ from: d, to: s.name })),
  );
  return (
    <div aria-label="ML pipeline steps" role="figure">
      <DependencyGraph
        nodes={nodes}
        edges={edges}
        renderNode={StepNodeView}
        direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
        paddingX={10}
        paddingY={10}
        rankMargin={40}
        nodeMargin={20}
        zoom="disabled"
        fit="contain"
        style={{ minHeight: 140 }}
      />
    </div>
  );
}
