import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import Link from '@material-ui/core/Link';
import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useState,
  type CSSProperties,
  type ReactNode,
} from 'react';
import { useTheme } from '@material-ui/core/styles';
import type { TableColumn } from '@backstage/core-components';
import type { ModelVersion } from '@mlops-portal/plugin-mlops-common';
import { useDeepLink } from '../../hooks/useDeepLink';

/** Versions picked for comparison in the versions table. */
export interface VersionSelection {
  selected: number[];
  toggle: (version: number) => void;
  clear: () => void;
}

const SelectionContext = createContext<VersionSelection | undefined>(undefined);

/** Holds the versions picked in the table; the tab wraps its cards in it. */
export function VersionSelectionProvider(props: { children: ReactNode }) {
  const [selected, setSelected] = useState<number[]>([]);
  const toggle = useCallback(
    (version: number) =>
      setSelected(s =>
        s.includes(version) ? s.filter(v => v !== version) : [...s, version],
      ),
    [],
  );
  const clear = useCallback(() => setSelected([]), []);
  const value = useMemo(
    () => ({ selected, toggle, clear }),
    [selected, toggle, clear],
  );
  return (
    <SelectionContext.Provider value={value}>
      {props.children}
    </SelectionContext.Provider>
  );
}

/** The selection, or undefined outside the tab (a card on its own picks nothing). */
export const useVersionSelection = () => useContext(SelectionContext);

/**
 * At 1024 px the versions table is wider than its card and scrolls sideways;
 * the version column (left) and the decisions (right) stay in view. Cells
 * get the card's background so scrolled columns pass under them.
 */
export function useStickyCells(): {
  left: CSSProperties;
  right: CSSProperties;
} {
  const theme = useTheme();
  return useMemo(() => {
    const base: CSSProperties = {
      position: 'sticky',
      zIndex: 1,
      backgroundColor: theme.palette.background.paper,
    };
    return {
      left: { ...base, left: 0 },
      right: {
        ...base,
        right: 0,
        boxShadow: `-1px 0 0 ${theme.palette.divider}`,
      },
    };
  }, [theme]);
}

function VersionCell(props: { version: ModelVersion }) {
  const selection = useVersionSelection();
  const link = useDeepLink();
  const v = props.version.version;
  return (
    <Box display="flex" alignItems="center" style={{ gap: 2 }}>
      {selection && (
        <Checkbox
          size="small"
          checked={selection.selected.includes(v)}
          onChange={() => selection.toggle(v)}
          inputProps={{ 'aria-label': `Compare version ${v}` }}
          data-testid={`compare-pick-${v}`}
          style={{ padding: 4 }}
        />
      )}
      <Link
        href={link.href({ version: v })}
        onClick={(e: React.MouseEvent) => {
          if (link.inTab) {
            e.preventDefault();
            link.open({ version: v });
          }
        }}
        aria-label={`Review version ${v}`}
        data-testid={`review-link-${v}`}
      >
        {v}
      </Link>
    </Box>
  );
}

/**
 * The versions table's Version column: a compare checkbox (inside the tab),
 * the number linking to the version's review, sticky on the left.
 */
export function versionColumn(
  sticky: CSSProperties,
): TableColumn<ModelVersion> {
  return {
    title: 'Version',
    render: v => <VersionCell version={v} />,
    cellStyle: sticky,
    headerStyle: sticky,
  };
}
