// Inline rename (double-click a scene or source name): Enter or leaving the field commits, Escape
// cancels. An empty or unchanged name commits nothing.
import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n';

interface Props {
  name: string;
  onCommit: (name: string) => void;
  onDone: () => void;
}

export function NameEditor({ name, onCommit, onDone }: Props) {
  const tr = useT();
  const [value, setValue] = useState(name);
  const ref = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  const finish = (commit: boolean) => {
    if (done.current) return;
    done.current = true;
    const next = value.trim().slice(0, 120);
    if (commit && next && next !== name) onCommit(next);
    onDone();
  };
  return (
    <input
      ref={ref}
      className="rename"
      aria-label={tr('rename.label', { name })}
      value={value}
      maxLength={120}
      onChange={(e) => setValue(e.target.value)}
      onBlur={() => finish(true)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') finish(true);
        else if (e.key === 'Escape') finish(false);
        else return;
        e.preventDefault();
        e.stopPropagation();
      }}
    />
  );
}
