/**
 * What is settled before a command starts anything: `--help` among its options (it then only
 * prints its usage), and names it does not know, each refused with what was probably meant.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { COMMANDS, type CommandName } from './commands.js';
import { closest } from './suggest.js';

/** A command name that is not one: the message suggests the closest, if one is close. */
export function unknownCommand(command: string): ConfigError {
  const meant = closest(command, Object.keys(COMMANDS));
  return new ConfigError(`unknown command "${command}"; ${meant ? `did you mean ${meant}? ` : ''}run flatfile-audit --help`);
}

/**
 * 'help' when the arguments ask for the command's usage (--help or -h, wherever they stand before
 * `--`); else throws ConfigError for the first option the command does not know, else 'run'.
 */
export function preflight(command: CommandName, args: string[]): 'help' | 'run' {
  const options: Record<string, unknown> = COMMANDS[command].options;
  // Lenient here: values and positionals are the command's own parser's business, strict there.
  const { tokens } = parseArgs({ args, options: COMMANDS[command].options, allowPositionals: true, strict: false, tokens: true });
  let unknown: ConfigError | undefined;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'help' || token.name === 'h') return 'help';
    if (!unknown && !Object.hasOwn(options, token.name)) unknown = unknownOption(command, token.rawName, Object.keys(options));
  }
  if (unknown) throw unknown;
  return 'run';
}

function unknownOption(command: CommandName, rawName: string, known: string[]): ConfigError {
  const meant = rawName.startsWith('--') ? closest(rawName.slice(2), known) : undefined;
  const choices = known.length === 0 ? `${command} takes no options` : meant ? `did you mean --${meant}?` : `flatfile-audit ${command} --help lists its options`;
  return new ConfigError(`unknown option ${rawName} for ${command}; ${choices}`);
}
