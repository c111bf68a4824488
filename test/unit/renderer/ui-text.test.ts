// Every word the studio shows comes from the catalogue (src/shared/i18n), in English and 简体中文:
// this scan of src/renderer fails on JSX text, and on string literals in user-visible attributes
// (placeholder, title, aria-label, alt, label), that contain letters. Symbols, digits and
// punctuation (×, ·, —, %, :) may stay literal. Brand-only strings go through the catalogue too.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '../../../src/renderer/src');
const VISIBLE_ATTRS = new Set(['placeholder', 'title', 'aria-label', 'alt', 'label', 'aria-description']);
/** Letters of any script (Latin, CJK, …). */
const WORDS = /\p{L}/u;

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return tsxFiles(p);
    return p.endsWith('.tsx') ? [p] : [];
  });
}

export function hardCodedText(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const at = (n: ts.Node, text: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    found.push(`${relative(ROOT, file)}:${line + 1}: ${JSON.stringify(text.trim().slice(0, 60))}`);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isJsxText(n) && WORDS.test(n.text)) at(n, n.text);
    if (ts.isJsxAttribute(n) && VISIBLE_ATTRS.has(n.name.getText(sf)) && n.initializer) {
      // Any literal text in the value, in either branch of a condition or a template, except
      // inside a call (tr('key'), a formatter): those are keys and arguments, not text.
      const literals = (e: ts.Node): void => {
        if (ts.isCallExpression(e)) return;
        if ((ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isTemplateHead(e) || ts.isTemplateMiddle(e) || ts.isTemplateTail(e)) && WORDS.test(e.text)) at(n, e.text);
        ts.forEachChild(e, literals);
      };
      literals(n.initializer);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('UI text comes from the catalogue', () => {
  it('the scan finds a hard-coded label (it can fail)', () => {
    expect(hardCodedText('x.tsx', 'const a = <button title="Close">Save</button>;')).toHaveLength(2);
    expect(hardCodedText('x.tsx', 'const a = <input placeholder={w ? "https://example.com/whip" : `${p}://live.example.com`} />;')).toHaveLength(2);
    expect(hardCodedText('x.tsx', 'const a = <span title={tr("k")}>{tr("k")} · ×</span>;')).toHaveLength(0);
  });

  it('no JSX text or visible attribute in src/renderer is written out in code', () => {
    const found = tsxFiles(ROOT).flatMap((f) => hardCodedText(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});
