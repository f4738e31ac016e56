/** The answer page's stylesheet (native inputs, one string rendered once). Colors follow the AdminJS theme. */
import { toneRules } from '../../../src/review/status-display';

export const STYLES = `
.gbff { color: #0C1E29; font-size: 14px; }
.gbff * { box-sizing: border-box; }
.gbff-wrap { max-width: 920px; }
.gbff-card { background: #fff; border: 1px solid #E4E6EB; border-radius: 6px; box-shadow: 0 1px 2px rgba(12,30,41,.05); }
.gbff-header { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; padding: 16px 20px; margin-bottom: 16px; }
.gbff-title { font-size: 20px; font-weight: 500; }
.gbff-muted { color: #898A9A; font-size: 12px; }
.gbff-pill { display: inline-block; padding: 2px 10px; border-radius: 10px; font-size: 12px; font-weight: 500; background: #F2F2F2; color: #454655;
  white-space: nowrap; line-height: 18px; }
${toneRules('.gbff-pill')}
.gbff-callout { border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; font-size: 14px; }
.gbff-callout.red { background: #FFF4F5; border: 1px solid #F2C2C7; border-left: 4px solid #C20012; }
.gbff-callout.green { background: #F2F9F9; border: 1px solid #BFE0E0; border-left: 4px solid #007D7F; }
.gbff-callout-title { font-weight: 600; margin-bottom: 4px; }
.gbff-callout-body { white-space: pre-wrap; word-break: break-word; }
.gbff-section { margin-bottom: 16px; }
.gbff-section-head { display: flex; align-items: center; gap: 10px; padding: 14px 24px 10px; border-bottom: 1px solid #EEEEEF; }
.gbff-section-title { flex: 1; font-size: 17px; font-weight: 500; }
.gbff-section-body { padding: 4px 24px 20px; }
.gbff-section.locked .gbff-section-body { background: #FBFBFC; }
.gbff-field { margin-top: 16px; max-width: 560px; }
.gbff-field.wide { max-width: none; }
.gbff-label { display: block; font-weight: 500; font-size: 13px; margin-bottom: 5px; }
.gbff-req { color: #C20012; margin-left: 2px; }
.gbff-help { color: #898A9A; font-size: 12px; margin-top: 4px; line-height: 1.4; }
.gbff-input { width: 100%; min-width: 0; height: 36px; padding: 0 10px; border: 1px solid #BBC3CB; border-radius: 4px; font: inherit; font-size: 14px;
  background: #fff; color: inherit; }
.gbff-input:focus { outline: none; border-color: #3040D6; box-shadow: 0 0 0 2px #DDE2F9; }
.gbff-calculated { display: flex; align-items: center; background: #F4F5F6; color: #454655; }
.gbff-input:disabled { background: #F4F5F6; color: #454655; }
.gbff-input.invalid { border-color: #C20012; box-shadow: 0 0 0 1px #F9E5E7; }
textarea.gbff-input { height: auto; padding: 8px 10px; line-height: 1.45; resize: vertical; }
.gbff-input.compact { height: 30px; font-size: 13px; padding: 0 6px; }
.gbff-check { display: inline-flex; align-items: center; gap: 8px; font-size: 14px; cursor: pointer; user-select: none; }
.gbff-check input { width: 16px; height: 16px; margin: 0; accent-color: #3040D6; }
.gbff-choices { display: flex; flex-wrap: wrap; gap: 6px 18px; padding-top: 2px; }
.gbff-error { color: #C20012; font-size: 12px; margin-top: 4px; line-height: 1.4; }
.gbff-files { font-size: 13px; padding: 8px 10px; background: #F8F9F9; border: 1px dashed #BBC3CB; border-radius: 4px; }
.gbff-geo-parts { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px; }
.gbff-geo-part { display: flex; flex-direction: column; gap: 2px; }
.gbff-signature-pad { display: block; width: 100%; max-width: 480px; aspect-ratio: 3 / 1; background: #fff; border: 1px solid #BBC3CB; border-radius: 4px;
  touch-action: none; cursor: crosshair; }
.gbff-signature-img { display: block; max-width: 240px; border: 1px solid #E4E6EB; border-radius: 4px; background: #fff; margin-bottom: 4px; }
.gbff-note { margin-top: 16px; padding: 10px 14px; background: #F5F7FF; border-left: 3px solid #3040D6; border-radius: 4px; white-space: pre-wrap;
  word-break: break-word; line-height: 1.5; }
.gbff-table { width: 100%; border-collapse: collapse; font-size: 13px; }
.gbff-table th { text-align: left; font-weight: 500; font-size: 12px; color: #454655; padding: 6px; border-bottom: 1px solid #EEEEEF; background: #FBFBFC; }
.gbff-table td { padding: 6px; border-bottom: 1px solid #F2F2F2; vertical-align: top; }
.gbff-btn { display: inline-flex; align-items: center; justify-content: center; gap: 6px; height: 36px; padding: 0 18px; border-radius: 4px;
  border: 1px solid #3040D6; background: #3040D6; color: #fff; font: inherit; font-size: 14px; cursor: pointer; white-space: nowrap; text-decoration: none; }
.gbff-btn:hover:not(:disabled) { background: #2533B5; border-color: #2533B5; }
.gbff-btn:disabled { opacity: .5; cursor: default; }
.gbff-btn.outline { background: #fff; color: #3040D6; }
.gbff-btn.outline:hover:not(:disabled) { background: #F5F7FF; }
.gbff-link { border: 0; background: none; color: #3040D6; cursor: pointer; margin-left: 8px; padding: 0; }
.gbff-link-btn { display: inline-flex; align-items: center; gap: 4px; border: 1px dashed #BBC3CB; border-radius: 4px; background: #fff;
  color: #3040D6; font: inherit; font-size: 13px; padding: 5px 12px; cursor: pointer; }
.gbff-link-btn:hover:not(:disabled) { border-color: #3040D6; background: #F5F7FF; }
.gbff-link-btn:disabled { opacity: .5; cursor: default; }
.gbff-icon-btn { width: 28px; height: 28px; border: 1px solid transparent; border-radius: 4px; background: transparent; color: #898A9A;
  cursor: pointer; font-size: 16px; line-height: 1; }
.gbff-icon-btn:hover:not(:disabled) { color: #C20012; background: #F9E5E7; }
.gbff-icon-btn:disabled { opacity: .3; cursor: default; }
.gbff-bar { position: sticky; bottom: 0; z-index: 5; display: flex; align-items: center; gap: 10px; padding: 12px 20px; margin-top: 8px;
  background: rgba(255,255,255,.97); border: 1px solid #E4E6EB; border-radius: 6px; box-shadow: 0 -2px 8px rgba(12,30,41,.06); }
.gbff-errors { margin: 6px 0 0; padding-left: 18px; line-height: 1.6; }
.gbff-errors a { color: inherit; }
`;
