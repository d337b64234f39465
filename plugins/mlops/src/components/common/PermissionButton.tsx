import Button, { type ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import { usePermission } from '@backstage/plugin-permission-react';

/**
 * A button that stays visible but disabled, with a tooltip saying why, when the
 * permission framework denies the action for this entity.
 */
export function PermissionButton(
  props: ButtonProps & {
    permission: ResourcePermission<'catalog-entity'>;
    entityRef: string;
    deniedReason: string;
    /** Why the action is unavailable for a reason other than permission. */
    disabledReason?: string;
  },
) {
  const {
    permission,
    entityRef,
    deniedReason,
    disabledReason,
    disabled,
    ...rest
  } = props;
  const { allowed, loading } = usePermission({
    permission,
    resourceRef: entityRef,
  });
  const reason = !loading && !allowed ? deniedReason : disabledReason;
  const isDisabled = Boolean(disabled) || loading || !allowed;
  const button = <Button {...rest} disabled={isDisabled} />;
  if (!isDisabled || !reason) return button;
  // A disabled button fires no mouse events, so the tooltip hangs on a wrapper.
  return (
    <Tooltip title={reason}>
      <span data-testid="permission-denied-reason" aria-label={reason}>
        {button}
      </span>
    </Tooltip>
  );
}
