import React, { createContext, useContext } from 'react';
import type { FileInfo } from './types';

/** The submission's files, by id: names, types and sizes for the lists and previews. */
export const FilesContext = createContext<Map<string, FileInfo>>(new Map());

/** Raster images are previewed inline (the API serves them inline only for safe types). */
const PREVIEWABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} kB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * The files of a file field: a thumbnail for images, a preview link for PDFs, a download link for
 * everything (downloads go through the API, which checks the submission's permissions).
 */
export const FileList: React.FC<{ ids: string[]; testId?: string }> = ({ ids, testId }) => {
  const files = useContext(FilesContext);
  if (ids.length === 0) return <span className="gbr-empty">No files</span>;
  return (
    <div data-testid={testId}>
      <ul className="gbr-files">
        {ids.map((id) => {
          const file = files.get(id);
          const url = `/api/v1/files/${id}`;
          return (
            <li key={id} data-testid="file-item">
              {file && PREVIEWABLE.has(file.type) ? (
                <a href={`${url}?inline=1`} target="_blank" rel="noopener noreferrer">
                  <img
                    src={`${url}?inline=1`}
                    alt={file.name}
                    data-testid="file-thumbnail"
                    style={{
                      width: 96,
                      height: 72,
                      objectFit: 'cover',
                      borderRadius: 4,
                      border: '1px solid #e3e3ef',
                      marginRight: 8,
                    }}
                  />
                </a>
              ) : (
                <span aria-hidden>📎</span>
              )}
              <span>
                <a href={url} data-testid="file-download">
                  {file?.name ?? 'Attached file'}
                </a>
                {file ? (
                  <span className="gbr-muted">
                    {' '}
                    · {file.type} · {size(file.size)}
                  </span>
                ) : null}
                {file?.type === 'application/pdf' ? (
                  <>
                    {' '}
                    ·{' '}
                    <a href={`${url}?inline=1`} target="_blank" rel="noopener noreferrer">
                      preview
                    </a>
                  </>
                ) : null}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
};

/** The ids a file field's value holds (an array of id strings; anything else reads as none). */
export const fileIds = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];
