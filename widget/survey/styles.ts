/**
 * The survey prompt's rules, added to the checklist's stylesheet in the one shadow root
 * (widget/view/main.ts), whose palette (`.root`, light and dark), button reset, focus ring, `.sr`,
 * close button `.x`, `wm-in` animation and reduced-motion rule it uses, and which gives the card
 * `.survey` the panel's position, frame and animation and the button `.send` the brand's colours.
 * Sizes in px, colours from custom properties only.
 *
 * A corner card opens where the checklist's panel would: above the checklist's launcher when that
 * is on its side (`.cl` is before `.sv`); browsers without `:has()` let them overlap. Under 480 px it
 * spans the screen's width, and its targets are 44 px high; the scale stays one row, its buttons
 * narrower, so that the end labels stay under 0 and 10.
 */
export const css = `
.survey{bottom:20px;width:380px;padding:14px 16px 16px}
.survey[data-position=bottom-left]{left:20px;right:auto}
.survey[data-position=bottom-bar]{left:0;right:0;bottom:0;width:auto;max-width:none;border-width:1px 0 0;border-radius:0;padding-inline:max(16px,calc(50% - 360px))}
.cl:has([data-position=bottom-right])~.sv [data-position=bottom-right],.cl:has([data-position=bottom-left])~.sv [data-position=bottom-left],.cl:has(.root)~.sv [data-position=bottom-bar]{bottom:80px}
.q{flex:1;font-size:15px;font-weight:600;line-height:1.35;overflow-wrap:anywhere}
.scale{display:grid;grid-template-columns:repeat(11,minmax(0,1fr));gap:4px;margin-top:12px}
.scale button{height:36px;padding:0;border:1px solid var(--wm-line);border-radius:calc(var(--wm-radius) / 2);background:var(--wm-soft);font-weight:600;font-variant-numeric:tabular-nums}
.scale button:hover{border-color:var(--wm-brand)}
.scale [aria-checked=true]{background:var(--wm-brand);border-color:var(--wm-brand);color:var(--wm-on-brand)}
.scale :focus-visible{position:relative;z-index:1}
.ends{display:flex;justify-content:space-between;gap:16px;margin-top:6px;font-size:12px;color:var(--wm-muted)}
.ends span+span{text-align:end}
.more{display:flex;flex-direction:column;gap:8px;margin-top:14px}
.more label{font-weight:600;overflow-wrap:anywhere}
textarea{width:100%;min-height:72px;margin:0;padding:8px 10px;resize:vertical;font:inherit;color:inherit;background:var(--wm-bg);border:1px solid var(--wm-muted);border-radius:calc(var(--wm-radius) / 2)}
.send{align-self:flex-end;padding:8px 18px}
@media (max-width:480px){.survey[data-position]{left:8px;right:8px;bottom:8px;width:auto;max-width:none}.survey[data-position=bottom-bar]{left:0;right:0;bottom:0;padding-inline:16px}.cl:has(.root)~.sv [data-position]{bottom:80px}.scale{gap:2px}.scale button,.send{min-height:44px}.survey .x{width:44px;height:44px}}
`;
