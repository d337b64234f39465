import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import type { ReactNode } from 'react';

/** What a view shows when there is nothing to show yet. */
export interface EmptyMessage {
  title: string;
  description?: string | JSX.Element;
}

/**
 * The loading / empty / error ladder of every MLOps view. A value once loaded
 * stays on screen while it reloads, so live updates never flash a spinner; a
 * failed reload shows its error above the last good value.
 */
export function AsyncContent<T>(props: {
  state: { value?: T | null; loading: boolean; error?: Error };
  /** Shown when the value is null or `isEmpty` says so. */
  empty?: EmptyMessage;
  isEmpty?: (value: T) => boolean;
  children: (value: T) => ReactNode;
}) {
  const { state, empty, isEmpty } = props;
  const { value, error } = state;
  if (value === undefined) {
    if (error) return <ResponseErrorPanel error={error} />;
    return <Progress />;
  }
  const content =
    value === null || isEmpty?.(value) ? (
      <EmptyState
        missing="data"
        title={empty?.title ?? 'Nothing here yet'}
        description={empty?.description}
      />
    ) : (
      props.children(value)
    );
  if (!error) return <>{content}</>;
  return (
    <>
      <Box mb={2}>
        <ResponseErrorPanel error={error} />
      </Box>
      {content}
    </>
  );
}
