import { describe, expect, it } from 'vitest';
import { fencePlainTextExamples } from './plain-text.js';

describe('fencePlainTextExamples', () => {
  it('fences a block indented past the prose, its lines and nesting kept', () => {
    // OpenSSH's README.tun as Debian ships it.
    const text = [
      'To establish tunnel forwarding for connections to a specified',
      'remote host by default, use the following ssh client configuration:',
      '',
      '\tHost sshgateway',
      '\t\tTunnel yes',
      '\t\tTunnelDevice 0:any',
      '',
      'The following network plumbing is required on the client:',
    ].join('\n');
    expect(fencePlainTextExamples(text)).toBe(
      [
        'To establish tunnel forwarding for connections to a specified',
        'remote host by default, use the following ssh client configuration:',
        '',
        '```',
        'Host sshgateway',
        '\tTunnel yes',
        '\tTunnelDevice 0:any',
        '```',
        '',
        'The following network plumbing is required on the client:',
      ].join('\n'),
    );
  });

  it('takes two spaces after a lead-in, and reads the prose margin of the file', () => {
    // OpenSSH's README.Debian: a two-space example after "…, and run 'telinit q':".
    const debian =
      "add the following line to /etc/inittab, and run 'telinit q':\n\n  ss:2345:respawn:/usr/sbin/sshd -D\n\nIf you do this, note it.";
    expect(fencePlainTextExamples(debian)).toContain('```\nss:2345:respawn:/usr/sbin/sshd -D\n```');
    // A manual page saved as text: prose at 7, an example at 14.
    const page = [
      '       Find files named core and remove them:',
      '',
      '              find /tmp -name core -type f -print | xargs /bin/rm -f',
      '',
      '       This runs rm as few times as possible, on as many files',
      '       as fit on one command line.',
    ].join('\n');
    expect(fencePlainTextExamples(page)).toContain(
      '```\nfind /tmp -name core -type f -print | xargs /bin/rm -f\n```',
    );
    expect(fencePlainTextExamples(page)).toContain('       This runs rm as few times');
  });

  it('leaves prose indented as prose: first-line indents, list items, titles, sentences', () => {
    const gnu = [
      '   Make sure that your configure line ends in gdb-VERSION/configure:',
      '',
      '      /berman/migchain/source/gdb-VERSION/configure      # RIGHT',
      '',
      '   The GDB package contains several subdirectories, such as gdb,',
      "'bfd', and 'readline'.  If your configure line ends in gdb/configure,",
      'then you are configuring only the gdb subdirectory.',
    ].join('\n');
    const fenced = fencePlainTextExamples(gnu);
    expect(fenced).toContain('```\n/berman/migchain/source/gdb-VERSION/configure      # RIGHT\n```');
    expect(fenced).toContain('\n   The GDB package contains several subdirectories, such as gdb,\n');
    // xdg-utils' README: list items and their indented paragraphs, and indented sentences.
    const xdg = [
      'This means that:',
      '    *  Developers of desktop environments can make sure that their',
      '       environments are well supported',
      '',
      '       If a desktop developer wants to be certain, then can simply',
      '       make sure that these utilities work properly.',
      '',
      'OVERVIEW:',
      '',
      '    The following tools are included in xdg-utils 1.0:',
    ].join('\n');
    expect(fencePlainTextExamples(xdg)).toBe(xdg);
    const title = '\t\t   README for GDB release\n\nThis is GDB, the GNU source-level debugger.';
    expect(fencePlainTextExamples(title)).toBe(title);
  });

  it('leaves AsciiDoc and text that fences its own code as they are', () => {
    // Git's manuals are AsciiDoc in .txt files: a term's description is tab-indented.
    const asciidoc =
      '--onto <newbase>::\n\tStarting point at which to create the new commits.\n\n\tgit rebase --onto main next topic';
    expect(fencePlainTextExamples(asciidoc)).toBe(asciidoc);
    const fenced = 'Run:\n\n```\nnpm start\n```\n\n    indented words';
    expect(fencePlainTextExamples(fenced)).toBe(fenced);
  });
});
