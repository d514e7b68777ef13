import { layers } from '../view/layers.ts';
import { base } from '../view/styles.ts';

/**
 * The checklist's stylesheet, adopted by the widget's shadow root only, after the shared rules of
 * widget/view/styles.ts (palettes on `.root`, reset, focus ring, links, code, `.x`, reduced motion).
 * The survey prompt (widget/survey/styles.ts, after this in the same sheet) looks like the panel and
 * its button like the items' action buttons: the rules they share name both.
 */
export const css = `${base('.root')}
input:focus-visible+.box{outline:2px solid var(--wm-focus);outline-offset:2px}
.launcher:focus-visible{outline:3px solid var(--wm-focus);outline-offset:3px;box-shadow:0 0 0 3px var(--wm-bg)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.launcher,.panel,.survey{position:fixed;z-index:${layers.panel};right:20px;max-width:calc(100vw - 40px)}
.launcher{z-index:${layers.launcher}}
.panel,.survey{background:var(--wm-bg);border:1px solid var(--wm-line);border-radius:var(--wm-radius);box-shadow:0 16px 48px rgba(0,0,0,.28);animation:wm-in .18s ease-out}
[data-position=bottom-left] .launcher,[data-position=bottom-left] .panel{left:20px;right:auto}
.launcher,.action,.send{border:0;background:var(--wm-brand);color:var(--wm-on-brand);font-weight:600}
.launcher:hover,.action:hover,.send:hover{filter:brightness(1.08)}
.launcher{bottom:20px;display:flex;align-items:center;gap:10px;padding-block:8px;padding-inline:8px 16px;border-radius:999px;box-shadow:0 6px 20px rgba(0,0,0,.25)}
.name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:220px}
.count{font-weight:500;white-space:nowrap}
.ring{flex:none}
.ring,.medal svg{stroke-width:3}
.track{opacity:.3}
.tick{stroke-width:2.5}
.fill{transform:rotate(-90deg);transform-origin:center;transition:stroke-dashoffset .4s}
.panel{bottom:80px;width:360px;max-height:min(480px,calc(100vh - 200px));display:flex;flex-direction:column}
.panel[hidden]{display:none}
.scroll{flex:1 1 auto;min-height:0;overflow:auto;--up:0;--down:0;box-shadow:inset 0 var(--up) 10px -10px rgba(0,0,0,.45),inset 0 var(--down) 10px -10px rgba(0,0,0,.45)}
[data-more~=up]{--up:12px}
[data-more~=down]{--down:-12px}
.scrim{display:none;position:fixed;z-index:${layers.sheet};inset:0;background:rgba(17,24,39,.55)}
@media (max-width:640px){.panel,[data-position=bottom-left] .panel{left:0;right:0;bottom:0;width:auto;max-width:none;max-height:85vh;border-width:1px 0 0;border-radius:var(--wm-radius) var(--wm-radius) 0 0}.scrim{display:block}}
.head,.top{display:flex;align-items:flex-start;gap:8px}
.head{padding-block:16px 4px;padding-inline:16px 12px}
.switch{display:flex;align-items:center;gap:2px;margin-top:-6px;font-size:13px;color:var(--wm-muted);white-space:nowrap}
.switch .x{width:28px;height:28px;margin:0}
[dir=rtl] .switch svg{transform:scaleX(-1)}
h2{flex:1;margin:0;font-size:16px;line-height:1.3}
h3{margin:0 0 2px;font-size:15px}
p{margin:0}
.muted{color:var(--wm-muted)}
.intro{padding:0 16px 8px}
.x{width:32px;height:32px;margin:-6px 0 0}
.progress{padding:4px 16px 12px;font-size:13px}
.bar{height:6px;margin-top:6px;border-radius:3px;background:var(--wm-line)}
.bar span{display:block;height:100%;background:var(--wm-brand);border-radius:3px;transition:width .4s}
ul{list-style:none;margin:0;padding:0}
.item{display:flex;gap:12px;padding:12px 16px;border-top:1px solid var(--wm-line)}
.body{flex:1;min-width:0;overflow-wrap:anywhere}
.item label{display:block;font-weight:600;cursor:pointer}
.item.done label{text-decoration:line-through;color:var(--wm-muted);font-weight:500}
.tag{display:inline-block;margin-inline-start:6px;font-size:12px;font-weight:500;color:var(--wm-muted)}
.item p{margin-top:2px;font-size:13px}
.check{position:relative;flex:none;width:22px;height:22px;margin-top:1px}
.check input{position:absolute;inset:0;width:100%;height:100%;margin:0;opacity:0;cursor:pointer}
.check :disabled,.check [aria-disabled=true]{cursor:default}
.box{display:block;height:22px;border:2px solid var(--wm-muted);border-radius:50%;transition:background-color .2s}
input:checked+.box{background:var(--wm-brand);border-color:var(--wm-brand)}
input:checked+.box::after{content:"";display:block;width:5px;height:10px;margin:3px 0 0 6px;border:solid var(--wm-on-brand);border-width:0 2px 2px 0;transform:rotate(45deg)}
.action,.send{border-radius:calc(var(--wm-radius) / 2 + 2px)}
.action{margin-top:8px;padding:6px 14px;font-size:13px}
.celebrate{padding:4px 16px 16px;text-align:center}
.medal{display:grid;place-items:center;width:48px;height:48px;margin:4px auto 8px;border-radius:50%;background:var(--wm-brand);color:var(--wm-on-brand);animation:wm-pop .6s cubic-bezier(.2,1.6,.4,1)}
.foot{display:flex;justify-content:flex-end;padding:8px 12px 12px;border-top:1px solid var(--wm-line)}
.text-btn{padding:6px 8px;border:0;border-radius:6px;background:transparent;color:var(--wm-muted);font-size:13px;text-decoration:underline}
.text-btn:hover{background:var(--wm-soft)}
@keyframes wm-in{from{opacity:0;transform:translateY(8px)}}
@keyframes wm-pop{0%{transform:scale(.3);opacity:0}60%{transform:scale(1.15);opacity:1}}
`;
