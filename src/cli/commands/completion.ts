// `envoyscope completion bash|zsh|fish|powershell` prints a script for the shell; the script asks
// `envoyscope __complete <words…>` for candidates at each TAB, which answers from the live command
// tree (complete.ts). The answer is cobra's: one candidate per line, then `:<directive>` (4: no
// file names, 0: the shell's file names), so kubectl can use it for plugins (kubectl_complete-envoyscope).
import { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { complete, type CompletionSources, type ConnectionFlags } from '../complete.ts';
import { COMPLETE_COMMAND } from '../completeCommand.ts';
import { parseChoice } from '../flags.ts';
import { withExamples } from '../help.ts';

/** How long a TAB may wait for the cluster's pod names before offering none. */
const POD_BUDGET_MS = 1500;

const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
type Shell = (typeof SHELLS)[number];

/** Commands the scripts complete: the CLI and its kubectl plugin name. */
const NAMES = ['envoyscope', 'kubectl-envoyscope'];

export function completionCommand(ctx: CliContext): Command {
  const command = new Command('completion')
    .summary('print a shell completion script (bash, zsh, fish or powershell)')
    .description('Print a completion script for the shell: commands, kinds, flags, flag values and, when a cluster answers within 1.5 s, pod names.')
    .argument('<shell>', `one of: ${SHELLS.join(', ')}`);
  command.registeredArguments[0]?.choices(SHELLS);
  command.action((shell: string) => {
    ctx.io.out.write(SCRIPTS[parseChoice(shell, 'shell', SHELLS)]);
  });
  return withExamples(command, [
    'source <(envoyscope completion bash)        # in ~/.bashrc',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh expression, shown as is
    'envoyscope completion zsh > "${fpath[1]}/_envoyscope"',
    'envoyscope completion fish > ~/.config/fish/completions/envoyscope.fish',
  ]);
}

/** `envoyscope __complete <words…>`: candidates for the last word, never an error (a TAB must not fail). */
export async function runComplete(program: Command, words: readonly string[], ctx: CliContext): Promise<void> {
  const sources: CompletionSources = {
    pods: (flags) => fromCluster(flags, ctx, (session) => session.meshPodNames()),
    namespaces: (flags) => fromCluster(flags, ctx, (session) => session.namespaceNames()),
    contexts: async (flags) => {
      // kubeconfig.ts loads @kubernetes/client-node: only a completion that needs contexts pays for it.
      const { contextNames } = await import('../../kube/kubeconfig.ts');
      try {
        return contextNames({ env: ctx.env, ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}) });
      } catch {
        return [];
      }
    },
  };
  const result = await complete(program, words.length === 0 ? [''] : words, sources).catch(() => ({ candidates: [], files: false }));
  ctx.io.out.write(`${[...result.candidates, `:${result.files ? 0 : 4}`].join('\n')}\n`);
}

/** The cluster's answer, or [] when there is no kubeconfig, no answer in time, or an error. */
async function fromCluster(
  flags: ConnectionFlags,
  ctx: CliContext,
  ask: (session: import('../../kube/index.ts').KubeSession) => Promise<string[]>,
): Promise<string[]> {
  // Loading the Kubernetes client is bounded CPU work; the budget guards against the network only.
  const kube = await import('../../kube/index.ts');
  await import('../../kube/session.ts');
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), POD_BUDGET_MS);
  });
  const lookup = (async () => {
    const session = await kube.connect({ timeoutMs: POD_BUDGET_MS, env: ctx.env, ...flags });
    try {
      return await ask(session);
    } finally {
      await session.close();
    }
  })().catch(() => []);
  try {
    return await Promise.race([lookup, budget]);
  } finally {
    clearTimeout(timer);
  }
}

const bash = `# envoyscope completion for bash: source <(envoyscope completion bash)
_envoyscope_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out directive line
  out=$("\${COMP_WORDS[0]}" ${COMPLETE_COMMAND} "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  directive=\${out##*:}
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -n $line && $line != :* ]] && COMPREPLY+=("$line")
  done <<< "$out"
  if [[ \${#COMPREPLY[@]} -eq 0 && $directive == 0 ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -o bashdefault -F _envoyscope_complete ${NAMES.join(' ')}
`;

const zsh = `#compdef ${NAMES.join(' ')}
# envoyscope completion for zsh: source <(envoyscope completion zsh), or save as _envoyscope in $fpath
_envoyscope() {
  local -a lines
  lines=("\${(@f)$(\${words[1]} ${COMPLETE_COMMAND} "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  local directive=\${lines[-1]#:}
  lines=("\${(@)lines[1,-2]}")
  if (( \${#lines} )); then
    compadd -Q -- "\${lines[@]}"
  elif [[ $directive == 0 ]]; then
    _files
  fi
}
if [[ $funcstack[1] == _envoyscope ]]; then _envoyscope "$@"; else compdef _envoyscope ${NAMES.join(' ')}; fi
`;

const fish = `# envoyscope completion for fish: envoyscope completion fish > ~/.config/fish/completions/envoyscope.fish
function __envoyscope_complete
    set -l tokens (commandline -opc)
    set -l out ($tokens[1] ${COMPLETE_COMMAND} $tokens[2..-1] (commandline -ct) 2>/dev/null)
    test (count $out) -gt 0; or return
    set -l directive (string replace ':' '' -- $out[-1])
    if test (count $out) -gt 1
        printf '%s\\n' $out[1..-2]
    else if test "$directive" = 0
        __fish_complete_path (commandline -ct)
    end
end
${NAMES.map((name) => `complete -c ${name} -f -a '(__envoyscope_complete)'`).join('\n')}
`;

const powershell = `# envoyscope completion for PowerShell: envoyscope completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName ${NAMES.map((name) => `'${name}'`).join(', ')} -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    # The word under the cursor is empty after a space: pass it on (PowerShell 7.3+ keeps empty arguments).
    if ($wordToComplete -eq '') { $words += '' }
    $out = @(& $commandAst.CommandElements[0].ToString() ${COMPLETE_COMMAND} @words 2>$null)
    if ($out.Count -lt 2) { return }
    $out[0..($out.Count - 2)] | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
`;

const SCRIPTS: Record<Shell, string> = { bash, zsh, fish, powershell };
