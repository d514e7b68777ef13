import { base } from '../view/styles.ts';

/**
 * The stacking level, in the spotlight layer's own stacking context (its shadow host is above the
 * page), of a step's backdrop and of the ring around a docked tooltip's target: above beacons,
 * below the step's card (one more).
 */
export const backdropZ = 1;

/**
 * The spotlight layer's stylesheet, adopted by its own shadow root only (nothing leaks in or out),
 * after the rules the widget's stylesheets share (widget/view/styles.ts: palettes on `.layer`,
 * reset, focus ring, links, code, `.x`, reduced motion). Everything it draws is `position: fixed`
 * and sized here, so the shadow host's own box, whatever a page's `!important` rules try on it,
 * never matters. Nothing of the page's text styles reaches in: the host element's inline
 * `all: initial !important` (widget/shadow-root.ts) starts every inherited property afresh, and
 * `.layer` sets the few the layer wants otherwise (base: font, size, colour; here: long words wrap).
 */
export const css = `${base('.layer')}
.layer{overflow-wrap:break-word}
.card{position:fixed;z-index:${backdropZ + 1};padding:14px 16px;background:var(--wm-bg);border:1px solid var(--wm-line);border-radius:var(--wm-radius);box-shadow:0 12px 36px rgba(0,0,0,.28)}
.tip{display:flex;flex-direction:column;width:max-content;max-width:min(320px,calc(100% - 16px));max-height:calc(100% - 16px)}
.tip>p{overflow:auto}
.tip:not([data-side]){opacity:0}
.arrow{position:absolute;width:12px;height:12px;background:inherit;border:0 solid var(--wm-line);transform:rotate(45deg)}
[data-side=dock]{max-height:calc(50% - 8px)}
[data-side=dock]>.arrow,[data-side=center]>.arrow{display:none}
.ring,.dim{position:fixed;z-index:${backdropZ}}
.ring{display:none;pointer-events:none;border-radius:6px;box-shadow:0 0 0 2px var(--wm-brand),0 0 0 6px rgba(255,255,255,.6)}
[data-side=dock]+.ring{display:block}
.dim{inset:0;background:rgba(17,24,39,.55)}
[data-side=bottom]>.arrow{top:-7px;border-width:1px 0 0 1px}
[data-side=top]>.arrow{bottom:-7px;border-width:0 1px 1px 0}
[data-side=right]>.arrow{left:-7px;border-width:0 0 1px 1px}
[data-side=left]>.arrow{right:-7px;border-width:1px 1px 0 0}
.modal{top:50%;left:50%;transform:translate(-50%,-50%);width:min(440px,calc(100vw - 32px));max-height:calc(100vh - 32px);overflow:auto;padding:20px 24px}
.backdrop{position:fixed;inset:0;background:rgba(17,24,39,.55)}
.head{display:flex;align-items:flex-start;gap:8px}
h2{flex:1;margin:0;font-size:15px;line-height:1.35}
.modal h2{font-size:18px}
p{margin:6px 0 0}
.x{width:28px;height:28px;margin:-4px -8px 0 0}
.foot{display:flex;align-items:center;justify-content:flex-end;gap:8px;margin-top:14px}
.count{margin-inline-end:auto;font-size:13px;color:var(--wm-muted)}
.btn{min-height:32px;padding:6px 14px;border-radius:calc(var(--wm-radius) / 2 + 2px);font-size:13px;font-weight:600}
.primary{border:0;background:var(--wm-brand);color:var(--wm-on-brand)}
.primary:hover{filter:brightness(1.08)}
.ghost{border:1px solid var(--wm-line);background:var(--wm-bg)}
.ghost:hover{background:var(--wm-soft)}
.beacon{position:fixed;width:24px;height:24px;padding:0;border:0;border-radius:50%;background:transparent}
.beacon::before,.beacon::after{content:"";position:absolute;inset:5px;border-radius:50%;background:var(--wm-brand)}
.beacon::before{z-index:1;border:2px solid var(--wm-bg);box-shadow:0 1px 4px rgba(0,0,0,.35)}
.beacon::after{animation:wm-pulse 1.6s ease-out infinite}
.beacon[aria-expanded=true]::after{display:none}
@keyframes wm-pulse{from{opacity:.7}to{transform:scale(2.6);opacity:0}}
`;
