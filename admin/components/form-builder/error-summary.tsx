import React from 'react';
import { MessageBox } from '@adminjs/design-system';
import type { LocatedError } from './errors';

/** Every error of the last save, at the top; a click scrolls to the item (which also shows it). */
export const ErrorSummary: React.FC<{ errors: LocatedError[]; onShow: (error: LocatedError) => void }> = ({
  errors,
  onShow,
}) => (
  <div data-testid="builder-errors" style={{ marginBottom: 16 }}>
    <MessageBox
      variant="danger"
      message={`The definition was not saved: ${errors.length} problem${errors.length === 1 ? '' : 's'} to fix`}
    >
      <ul style={{ margin: '6px 0 0', paddingLeft: 18, lineHeight: 1.6, listStyle: 'disc' }}>
        {errors.map((e, i) => (
          <li key={i} data-testid="builder-error">
            {e.itemId ? (
              <a
                href={`#${e.itemId}`}
                style={{ color: 'inherit' }}
                onClick={(ev) => {
                  ev.preventDefault();
                  onShow(e);
                }}
              >
                {e.where}
              </a>
            ) : (
              <span>{e.where}</span>
            )}
            {e.part ? <span className="gbfb-mono"> · {e.part}</span> : null}: {e.message}
          </li>
        ))}
      </ul>
    </MessageBox>
  </div>
);
