import React, { useContext, useEffect, useRef, useState } from 'react';
import { UploadContext } from './files-input';
import { useText } from './text';

/**
 * A signature drawn with a finger, a pen or the mouse on a canvas, then uploaded as a PNG through
 * the files pipeline (POST /api/v1/submissions/:id/files, the same content checks and permissions
 * as any file); the value is the answer's list of one file id, as for a file field. The signature
 * already saved is shown by our own files route.
 */

const WIDTH = 480;
const HEIGHT = 160;

export const SignatureInput: React.FC<{
  fieldPath: string;
  value: unknown;
  onChange: (v: unknown) => void;
  testId: string;
  disabled?: boolean;
}> = ({ fieldPath, value, onChange, testId, disabled }) => {
  const { submissionId } = useContext(UploadContext);
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const t = useText();
  const [inked, setInked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = Array.isArray(value) ? value.map(String) : [];

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
  }, []);

  const at = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    return [((e.clientX - box.left) * WIDTH) / box.width, ((e.clientY - box.top) * HEIGHT) / box.height] as const;
  };
  const down = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (disabled) return;
    const ctx = e.currentTarget.getContext('2d')!;
    drawing.current = true;
    e.currentTarget.setPointerCapture?.(e.pointerId);
    const [x, y] = at(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
  };
  const move = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    const ctx = e.currentTarget.getContext('2d')!;
    const [x, y] = at(e);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#0C1E29';
    ctx.lineTo(x, y);
    ctx.stroke();
    setInked(true);
  };
  const up = () => {
    drawing.current = false;
  };
  const clear = () => {
    const ctx = canvas.current?.getContext('2d');
    if (ctx) {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, WIDTH, HEIGHT);
    }
    setInked(false);
  };

  const save = async () => {
    if (!canvas.current || !submissionId) return;
    setBusy(true);
    setError(null);
    try {
      const blob = await new Promise<Blob | null>((resolve) => canvas.current!.toBlob(resolve, 'image/png'));
      if (!blob) throw new Error('the drawing could not be made into an image');
      const form = new FormData();
      form.append('field', fieldPath);
      form.append('file', blob, 'signature.png');
      const res = await fetch(`/api/v1/submissions/${submissionId}/files`, {
        method: 'POST',
        body: form,
        credentials: 'same-origin',
      });
      const body = (await res.json()) as {
        success: boolean;
        data?: { files: { id: string }[] };
        error?: { message: string };
      };
      if (!body.success) throw new Error(body.error?.message ?? `upload failed (${res.status})`);
      onChange(body.data!.files.map((f) => f.id));
      clear();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="gbff-files" data-testid={testId}>
      {ids.length ? (
        <div data-testid={`${testId}-saved`}>
          <img
            src={`/api/v1/files/${ids[0]}?inline=1`}
            alt={t.savedSignature}
            className="gbff-signature-img"
            data-testid={`${testId}-image`}
          />
          {!disabled ? (
            <button type="button" className="gbff-link" onClick={() => onChange([])} data-testid={`${testId}-remove`}>
              {t.remove}
            </button>
          ) : null}
        </div>
      ) : null}
      {disabled ? (
        ids.length ? null : (
          <div className="gbff-muted">{t.notSigned}</div>
        )
      ) : submissionId ? (
        <div>
          <canvas
            ref={canvas}
            width={WIDTH}
            height={HEIGHT}
            className="gbff-signature-pad"
            data-testid={`${testId}-pad`}
            onPointerDown={down}
            onPointerMove={move}
            onPointerUp={up}
            onPointerLeave={up}
            aria-label={t.signHere}
          />
          <div style={{ display: 'flex', gap: 8, marginTop: 6 }}>
            <button
              type="button"
              className="gbff-link-btn"
              disabled={!inked || busy}
              onClick={() => void save()}
              data-testid={`${testId}-save`}
            >
              {busy ? t.saving : ids.length ? t.replaceSignature : t.saveSignature}
            </button>
            <button
              type="button"
              className="gbff-link-btn"
              disabled={!inked || busy}
              onClick={clear}
              data-testid={`${testId}-clear`}
            >
              {t.clear}
            </button>
          </div>
        </div>
      ) : (
        <div className="gbff-muted">{t.signatureNeedsDraft}</div>
      )}
      {error ? (
        <div className="gbff-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
};
