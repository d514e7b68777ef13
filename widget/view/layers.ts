/**
 * The one stacking order of everything the widget draws, bottom to top, as the z-index each
 * stylesheet gives its fixed elements. The widget's shadow hosts are `display: contents`
 * (widget/shadow-root.ts), so they make no stacking context of their own: the checklist's and the
 * spotlights' layers interleave by these numbers alone, above any page content (a page's own
 * z-index rarely comes near 2^31). Inside the top layer (a spotlight on a modal dialog's target)
 * the order is the same, above the dialog.
 *
 * - `beacon`: a hotspot's pulsing dot, part of the page it marks; what the user opens covers it.
 * - `launcher`: the checklist's button.
 * - `sheet`: the backdrop of the checklist's bottom sheet on small screens.
 * - `panel`: the checklist's panel and the NPS prompt (one at a time: widget/view/scheduler.ts).
 * - `dim`: the page dimmed around a tooltip's target, under the tooltip.
 * - `backdrop`: a spotlight modal's backdrop.
 * - `card`: a spotlight's tooltip or modal, above all.
 */
export const layers = {
  beacon: 2147483000,
  launcher: 2147483001,
  sheet: 2147483002,
  panel: 2147483003,
  dim: 2147483004,
  backdrop: 2147483005,
  card: 2147483006,
} as const;
