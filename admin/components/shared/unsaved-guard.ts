import { useEffect, useRef } from 'react';

export const UNSAVED_MESSAGE = 'You have unsaved changes. Leave this page and lose them?';

/** A click that would take the panel to another page: a same-origin link, plainly clicked. */
function leavingLink(e: MouseEvent): HTMLAnchorElement | null {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return null;
  const link = (e.target as Element | null)?.closest?.('a[href]');
  if (!(link instanceof HTMLAnchorElement) || (link.target && link.target !== '_self') || link.hasAttribute('download'))
    return null;
  const to = new URL(link.href, window.location.href);
  if (to.origin !== window.location.origin) return null;
  const here = window.location;
  return to.pathname === here.pathname && to.search === here.search ? null : link;
}

/**
 * Asks before unsaved work is left behind: on a reload or a closed tab (`beforeunload`), and on
 * every link inside the panel (sidebar, breadcrumbs, record links), which AdminJS follows in the
 * page without unloading it. The click is caught on the window in the capture phase, before the
 * router's own handler sees it; if the user stays, the click goes no further.
 */
export function useUnsavedGuard(dirty: boolean, message: string = UNSAVED_MESSAGE): void {
  const state = useRef({ dirty, message });
  state.current = { dirty, message };
  useEffect(() => {
    const onClick = (e: MouseEvent) => {
      if (!state.current.dirty || !leavingLink(e)) return;
      if (window.confirm(state.current.message)) return;
      e.preventDefault();
      e.stopPropagation();
    };
    const onUnload = (e: BeforeUnloadEvent) => {
      if (state.current.dirty) e.preventDefault();
    };
    window.addEventListener('click', onClick, true);
    window.addEventListener('beforeunload', onUnload);
    return () => {
      window.removeEventListener('click', onClick, true);
      window.removeEventListener('beforeunload', onUnload);
    };
  }, []);
}
