import React, { createContext, useContext, useState } from 'react';
import { useText } from './text';
import type { Field } from './types';

/**
 * Uploads for file fields. Files go to an existing submission (POST /api/v1/submissions/:id/files,
 * same origin, with the admin session), which stores them and adds their ids to the field; a new
 * submission is saved as a draft first. Removing a file here drops it from the field; the save
 * applies that (the server records the removal in the history).
 */
export const UploadContext = createContext<{ submissionId: string | null }>({ submissionId: null });

export const FilesInput: React.FC<{
  field: Field;
  fieldPath: string;
  value: unknown;
  onChange: (v: unknown) => void;
  testId: string;
  disabled?: boolean;
}> = ({ field, fieldPath, value, onChange, testId, disabled }) => {
  const { submissionId } = useContext(UploadContext);
  const t = useText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = Array.isArray(value) ? value.map(String) : [];

  const upload = async (list: FileList | null) => {
    if (!list?.length || !submissionId) return;
    setBusy(true);
    setError(null);
    try {
      const form = new FormData();
      form.append('field', fieldPath);
      for (const file of Array.from(list)) form.append('file', file);
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
      if (!body.success) throw new Error(body.error?.message ?? t.uploadFailed(res.status));
      const added = body.data!.files.map((f) => f.id);
      onChange(field.multiple ? [...ids, ...added] : added);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="gbff-files" data-testid={testId}>
      {ids.length === 0 ? <div className="gbff-muted">{t.noFiles}</div> : null}
      {ids.map((id) => (
        <div key={id} data-testid={`${testId}-file`}>
          <a href={`/api/v1/files/${id}`}>{t.fileNumber(id)}</a>
          {!disabled ? (
            <button
              type="button"
              className="gbff-link"
              onClick={() => onChange(ids.filter((x) => x !== id))}
              data-testid={`${testId}-remove-${id}`}
            >
              {t.remove}
            </button>
          ) : null}
        </div>
      ))}
      {disabled ? null : submissionId ? (
        <label className="gbff-muted">
          {busy ? t.uploading : field.multiple || ids.length === 0 ? t.addFile : t.replaceFile}{' '}
          <input
            type="file"
            multiple={field.multiple === true}
            disabled={busy}
            data-testid={`${testId}-upload`}
            accept={field.rules?.accept?.join(',')}
            onChange={(e) => void upload(e.target.files)}
          />
        </label>
      ) : (
        <div className="gbff-muted">{t.filesNeedDraft}</div>
      )}
      {error ? (
        <div className="gbff-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
};
