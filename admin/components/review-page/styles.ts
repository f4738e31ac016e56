/**
 * The review page's stylesheet: one string rendered once, so the many small parts stay plain
 * elements (light, easy to drive from tests). Colors follow the AdminJS theme.
 */
import { toneRules } from '../../../src/review/status-display';

export const STYLES = `
.gbr { color: #0C1E29; font-size: 14px; }
.gbr * { box-sizing: border-box; }
.gbr-layout { display: grid; grid-template-columns: minmax(0, 1fr) 400px; gap: 20px; align-items: start; }
@media (max-width: 1180px) { .gbr-layout { grid-template-columns: minmax(0, 1fr); } }
.gbr-side { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
.gbr-card { background: #fff; border: 1px solid #E4E6EB; border-radius: 6px; box-shadow: 0 1px 2px rgba(12,30,41,.05); }
.gbr-card-head { display: flex; align-items: center; gap: 8px; padding: 12px 16px; border-bottom: 1px solid #EEEEEF; }
.gbr-card-title { flex: 1; font-size: 13px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: #454655; }
.gbr-card-body { padding: 12px 16px 16px; }
.gbr-header { display: flex; align-items: flex-start; gap: 16px; flex-wrap: wrap; padding: 16px 20px; margin-bottom: 20px; }
.gbr-title { font-size: 20px; font-weight: 500; }
.gbr-muted { color: #898A9A; font-size: 12px; }
.gbr kbd { display: inline-block; min-width: 18px; padding: 0 4px; border: 1px solid #C9CBD4; border-bottom-width: 2px; border-radius: 3px;
  background: #FAFAFB; color: #454655; font-weight: 600; font-size: 11px; line-height: 16px; text-align: center; }
.gbr-small { font-size: 13px; }
.gbr-pill { display: inline-flex; align-items: center; gap: 4px; padding: 2px 10px; border-radius: 10px; font-size: 12px; font-weight: 500;
  background: #F2F2F2; color: #454655; white-space: nowrap; line-height: 18px; }
${toneRules('.gbr-pill')}
.gbr-section { margin-bottom: 16px; }
.gbr-section-head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; padding: 12px 16px; border-bottom: 1px solid #EEEEEF; }
.gbr-section-title { flex: 1; font-size: 16px; font-weight: 500; }
.gbr-fields { display: grid; grid-template-columns: minmax(140px, 34%) minmax(0, 1fr); }
.gbr-fields > div { padding: 8px 16px; border-bottom: 1px solid #F4F4F6; }
.gbr-fields > .gbr-label-cell { color: #454655; font-weight: 500; font-size: 13px; background: #FCFCFD; }
.gbr-value { white-space: pre-wrap; word-break: break-word; }
.gbr-empty { color: #A9AAB8; }
.gbr-table-wrap { padding: 12px 16px 4px; }
.gbr-table { width: 100%; border-collapse: collapse; font-size: 13px; }
.gbr-table th { text-align: left; font-weight: 500; font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: #898A9A;
  padding: 6px 8px; border-bottom: 1px solid #EEEEEF; }
.gbr-table td { padding: 6px 8px; border-bottom: 1px solid #F2F2F2; vertical-align: top; }
.gbr-input { width: 100%; min-width: 0; padding: 6px 8px; border: 1px solid #BBC3CB; border-radius: 4px; font: inherit; font-size: 13px;
  background: #fff; color: inherit; }
.gbr-input:focus { outline: none; border-color: #3040D6; box-shadow: 0 0 0 2px #DDE2F9; }
select.gbr-input, input.gbr-input { height: 32px; }
textarea.gbr-input { line-height: 1.45; resize: vertical; }
.gbr-field { margin-bottom: 8px; }
.gbr-field label { display: block; font-size: 12px; font-weight: 500; color: #454655; margin-bottom: 3px; }
.gbr-row { display: flex; gap: 8px; align-items: flex-end; flex-wrap: wrap; }
.gbr-row > * { flex: 1 1 140px; }
.gbr-actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.gbr-btn { display: inline-flex; align-items: center; justify-content: center; gap: 6px; height: 32px; padding: 0 14px; border-radius: 4px;
  border: 1px solid #3040D6; background: #3040D6; color: #fff; font: inherit; font-size: 13px; cursor: pointer; text-decoration: none; white-space: nowrap; }
.gbr-btn:hover:not(:disabled) { background: #2533B5; border-color: #2533B5; }
.gbr-btn:disabled { opacity: .5; cursor: default; }
.gbr-btn.outline { background: #fff; color: #3040D6; }
.gbr-btn.outline:hover:not(:disabled) { background: #F5F7FF; }
.gbr-btn.success { background: #007D7F; border-color: #007D7F; }
.gbr-btn.success:hover:not(:disabled) { background: #00686A; border-color: #00686A; }
.gbr-btn.danger { background: #fff; color: #C20012; border-color: #C20012; }
.gbr-btn.danger:hover:not(:disabled) { background: #F9E5E7; }
.gbr-btn.danger.solid { background: #C20012; color: #fff; }
.gbr-btn.link { background: none; border: none; color: #3040D6; padding: 0; height: auto; }
.gbr-btn.link:hover:not(:disabled) { background: none; text-decoration: underline; }
.gbr-btn.sm { height: 26px; padding: 0 10px; font-size: 12px; }
.gbr-kv { display: grid; grid-template-columns: 110px minmax(0, 1fr); gap: 6px 10px; font-size: 13px; margin-bottom: 12px; }
.gbr-kv > dt { color: #898A9A; }
.gbr-kv > dd { margin: 0; min-width: 0; word-break: break-word; }
.gbr-callout { border-radius: 4px; padding: 8px 12px; font-size: 13px; margin-bottom: 12px; white-space: pre-wrap; word-break: break-word; }
.gbr-callout.red { background: #FFF4F5; border-left: 3px solid #C20012; }
.gbr-callout.amber { background: #FDF7F2; border-left: 3px solid #A14F17; }
.gbr-callout.grey { background: #F8F9F9; border-left: 3px solid #BBC3CB; }
.gbr-list { list-style: none; margin: 0; padding: 0; }
.gbr-list > li { padding: 10px 0; border-bottom: 1px solid #F2F2F2; }
.gbr-list > li:first-child { padding-top: 0; }
.gbr-list > li:last-child { border-bottom: none; }
.gbr-meta { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; font-size: 12px; color: #898A9A; margin-bottom: 2px; }
.gbr-meta b { color: #0C1E29; font-weight: 500; font-size: 13px; }
.gbr-timeline { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 2px solid #EEEEEF; }
.gbr-timeline > li { position: relative; padding: 0 0 12px 6px; font-size: 13px; }
.gbr-timeline > li::before { content: ''; position: absolute; left: -21px; top: 4px; width: 10px; height: 10px; border-radius: 50%;
  background: #fff; border: 2px solid #BBC3CB; }
.gbr-timeline > li.tone-green::before { border-color: #007D7F; background: #E5F2F2; }
.gbr-timeline > li.tone-red::before { border-color: #C20012; background: #F9E5E7; }
.gbr-timeline > li.tone-blue::before { border-color: #3040D6; background: #DDE2F9; }
.gbr-timeline > li.tone-amber::before { border-color: #A14F17; background: #F6EDE8; }
.gbr-tl-head { display: flex; align-items: baseline; gap: 6px; min-width: 0; }
.gbr-tl-head b { font-weight: 500; white-space: nowrap; }
.gbr-tl-actor { flex: 1; min-width: 0; color: #898A9A; font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.gbr-tl-time { color: #898A9A; font-size: 12px; white-space: nowrap; }
.gbr-files { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 4px; }
.gbr-files li { display: inline-flex; align-items: center; gap: 6px; font-size: 13px; }
.gbr-mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.gbr-error { color: #C20012; font-size: 12px; margin-top: 4px; }
.gbr-divider { border: none; border-top: 1px solid #EEEEEF; margin: 12px 0; }
`;
