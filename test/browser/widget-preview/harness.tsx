import { render } from 'preact';
import '../../../server/console/styles.css';
import {
  type PreviewDelivered,
  type PreviewKind,
  WidgetPreview,
} from '../../../server/console/components/WidgetPreview.tsx';
import type { Theme } from '../../../shared/schemas/theme.ts';

/**
 * The test page of test/browser/widget-preview.test.ts, built by Vite with the console's
 * configuration in that test only (never part of the console): the component in a column as a
 * builder would place it, its props given by the test.
 */
export interface HarnessProps {
  kind: PreviewKind;
  locales: string[];
  /** What `deliver` answers per locale; null: the draft has errors (`deliver` is null). */
  byLocale: Record<string, unknown> | null;
  theme?: Partial<Theme>;
}

declare global {
  interface Window {
    showPreview(props: HarnessProps): void;
  }
}

window.showPreview = ({ kind, locales, byLocale, theme }) => {
  const main = document.getElementById('main')!;
  // A fresh component each time: nothing of the previous kind stays.
  render(null, main);
  render(
    <div style={{ width: '640px', padding: '16px' }}>
      <WidgetPreview
        kind={kind}
        locales={locales}
        theme={theme}
        // The test's fixtures are checked by the preview itself, as a builder's answers are.
        deliver={byLocale && ((locale) => byLocale[locale] as PreviewDelivered<PreviewKind>)}
      />
    </div>,
    main,
  );
};
