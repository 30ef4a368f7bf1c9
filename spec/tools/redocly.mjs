#!/usr/bin/env node
/**
 * The Redocly CLI with the given arguments, its output passed through but for two notices it
 * prints on every run here and that no option turns off: the Node.js 20 end-of-life box and
 * build-docs' "now renders docs with Redoc 3" box. Any other box, every other line and the exit
 * code pass through unchanged.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const knownNotices = ['Node.js 20 support is ending', 'build-docs now renders docs with Redoc 3'];

/** Runs `redocly ...args`; resolves with its exit code. */
export function redocly(args) {
  const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['inherit', 'inherit', 'pipe'] });
  const filter = noticeFilter((text) => process.stderr.write(text));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', filter.write);
  child.stderr.on('end', filter.end);
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

/** Line by line: a box (╔ to ╚) that holds a known notice is dropped with the blank lines after it. */
function noticeFilter(emit) {
  let pending = '';
  let box;
  let afterDroppedBox = false;
  const line = (text) => {
    if (box !== undefined) {
      box += text;
      if (!text.includes('╚')) return;
      const known = knownNotices.some((notice) => box.includes(notice));
      if (!known) emit(box);
      afterDroppedBox = known;
      box = undefined;
    } else if (text.includes('╔')) {
      box = text;
    } else if (!(afterDroppedBox && text.trim() === '')) {
      afterDroppedBox = false;
      emit(text);
    }
  };
  return {
    write(chunk) {
      pending += chunk;
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
        line(pending.slice(0, end + 1));
        pending = pending.slice(end + 1);
      }
    },
    end() {
      if (pending) line(pending);
      if (box !== undefined) emit(box);
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await redocly(process.argv.slice(2));
