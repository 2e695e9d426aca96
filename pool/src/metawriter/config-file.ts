// Reading a role's JSON config file; the errors name the file and say what is wrong with it.
import { readFileSync } from 'node:fs';

export function readJsonConfig(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigFileError(`cannot read config ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigFileError(`config ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

export class ConfigFileError extends Error {}
