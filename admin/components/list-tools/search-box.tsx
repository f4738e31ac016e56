import React, { useState } from 'react';
import { Button, Input } from '@adminjs/design-system';

/** The list's search box: Enter or the button searches; the × clears the search. */
export const SearchBox: React.FC<{
  initial: string;
  maxLength: number;
  /** What this list's search matches, in words ("Search by id, email or name"). */
  hint: string;
  onSearch: (text: string) => void;
}> = ({ initial, maxLength, hint, onSearch }) => {
  const [text, setText] = useState(initial);
  return (
    <form
      role="search"
      style={{ display: 'flex', gap: 8, flex: '1 1 320px', maxWidth: 560 }}
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text);
      }}
    >
      <Input
        type="search"
        value={text}
        maxLength={maxLength}
        aria-label="Search this list"
        placeholder={hint}
        title={hint}
        data-testid="list-search"
        style={{ flex: 1 }}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => setText(e.target.value)}
      />
      <Button type="submit" variant="contained" size="sm" data-testid="list-search-go">
        Search
      </Button>
      {initial ? (
        <Button
          type="button"
          variant="text"
          size="sm"
          title="Clear the search"
          data-testid="list-search-clear"
          onClick={() => onSearch('')}
        >
          Clear
        </Button>
      ) : null}
    </form>
  );
};
