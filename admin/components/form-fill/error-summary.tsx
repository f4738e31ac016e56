import React from 'react';
import { MessageBox } from '@adminjs/design-system';
import { describePath, inputIdOf } from './errors';
import { useText } from './text';
import type { ApiError, Definition } from './types';

/** Every error of the last save at the top; a click goes to its input. */
export const ErrorSummary: React.FC<{ errors: ApiError[]; definition: Definition; title: string }> = ({
  errors,
  definition,
  title,
}) => {
  const t = useText();
  return (
    <div data-testid="fill-errors" style={{ marginBottom: 16 }}>
      <MessageBox variant="danger" message={title}>
        <ul className="gbff-errors">
          {errors.map((e, i) => {
            const target = inputIdOf(e.path);
            return (
              <li key={i} data-testid="fill-error" data-path={e.path}>
                {target ? (
                  <a
                    href={`#${target}`}
                    onClick={(ev) => {
                      ev.preventDefault();
                      const el = document.querySelector<HTMLElement>(`[data-testid="${target}"]`);
                      el?.scrollIntoView({ behavior: 'smooth', block: 'center' });
                      el?.focus({ preventScroll: true });
                    }}
                  >
                    {describePath(definition, e.path, t)}
                  </a>
                ) : (
                  <span>{describePath(definition, e.path, t)}</span>
                )}
                : {e.message}
              </li>
            );
          })}
        </ul>
      </MessageBox>
    </div>
  );
};
