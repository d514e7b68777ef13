import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  identitySamples,
  identitySecretVariable,
  type SampleLanguage,
} from '../../../server/console/identity-samples.ts';
import { newIdentitySecret, verifyGroupHash, verifyUserHash } from '../../../server/workspaces/keys.ts';
import { root } from '../processes.ts';

// The identity-verification samples the console's Install page and the README show, run as a
// customer's server would run them (the secret in its environment), and checked against the very
// function the server verifies with. Node and Python are on every machine that runs these tests;
// Ruby, PHP and Go run where they are installed, and are skipped (saying so) where they are not.

type Hashes = { userHash: string; groupHash: string };
type Runner = {
  /** The interpreter and the arguments that print its version: present when that succeeds. */
  probe: [string, ...string[]];
  run(code: string, userId: string, groupId: string, env: NodeJS.ProcessEnv): ReturnType<typeof spawnSync>;
};

// Ids go into each program as JSON string literals, which every one of these languages reads as its
// own string literal for the ids used here (no `$`, `#` or backslash; UTF-8 source).
const runners: Record<SampleLanguage, Runner> = {
  Node: {
    probe: [process.execPath, '--version'],
    run: (code, userId, groupId, env) =>
      spawnSync(
        process.execPath,
        [
          '-e',
          `const userId = ${JSON.stringify(userId)};\nconst groupId = ${JSON.stringify(groupId)};\n${code}\n` +
            'console.log(JSON.stringify({ userHash, groupHash }));',
        ],
        { env, encoding: 'utf8' },
      ),
  },
  Python: {
    probe: ['python3', '--version'],
    run: (code, userId, groupId, env) =>
      spawnSync(
        'python3',
        [
          '-c',
          `user_id = ${JSON.stringify(userId)}\ngroup_id = ${JSON.stringify(groupId)}\n${code}\n` +
            'import json\nprint(json.dumps({"userHash": user_hash, "groupHash": group_hash}))',
        ],
        { env: { ...env, PYTHONIOENCODING: 'utf-8' }, encoding: 'utf8' },
      ),
  },
  Ruby: {
    probe: ['ruby', '--version'],
    run: (code, userId, groupId, env) =>
      spawnSync(
        'ruby',
        [
          '-e',
          `# encoding: utf-8\nuser_id = ${JSON.stringify(userId)}\ngroup_id = ${JSON.stringify(groupId)}\n${code}\n` +
            "require 'json'\nputs JSON.generate({ 'userHash' => user_hash, 'groupHash' => group_hash })",
        ],
        { env, encoding: 'utf8' },
      ),
  },
  PHP: {
    probe: ['php', '--version'],
    run: (code, userId, groupId, env) =>
      spawnSync(
        'php',
        [
          '-r',
          `$userId = ${JSON.stringify(userId)};\n$groupId = ${JSON.stringify(groupId)};\n${code}\n` +
            "echo json_encode(['userHash' => $userHash, 'groupHash' => $groupHash]);",
        ],
        { env, encoding: 'utf8' },
      ),
  },
  Go: {
    probe: ['go', 'version'],
    run(code, userId, groupId, env) {
      const dir = mkdtempSync(join(tmpdir(), 'waymark-go-sample-'));
      try {
        writeFileSync(
          join(dir, 'main.go'),
          `package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	userID := ${JSON.stringify(userId)}
	groupID := ${JSON.stringify(groupId)}
${code}
	out, _ := json.Marshal(map[string]string{"userHash": userHash, "groupHash": groupHash})
	fmt.Println(string(out))
}
`,
        );
        return spawnSync('go', ['run', 'main.go'], { cwd: dir, env, encoding: 'utf8' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
};

const installed = (probe: Runner['probe']) => {
  const [command, ...args] = probe;
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.error === undefined && result.status === 0;
};

function runSample(language: SampleLanguage, secret: string, userId: string, groupId: string): Hashes {
  const sample = identitySamples.find((s) => s.language === language);
  if (!sample) throw new Error(`no ${language} sample`);
  const result = runners[language].run(sample.code, userId, groupId, {
    ...process.env,
    [identitySecretVariable]: secret,
  });
  if (result.error) throw result.error;
  const output = String(result.stdout).trim();
  if (result.status !== 0) throw new Error(`${language} sample exited ${result.status}: ${result.stderr}`);
  return JSON.parse(output) as Hashes;
}

describe('the identity-verification samples', () => {
  it('are the ones the README prints, one block per language', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const fence: Record<SampleLanguage, string> = {
      Node: 'js',
      Python: 'python',
      Ruby: 'ruby',
      PHP: 'php',
      Go: 'go',
    };
    expect(identitySamples.map((s) => s.language)).toEqual(['Node', 'Python', 'Ruby', 'PHP', 'Go']);
    for (const { language, code } of identitySamples) {
      // The README's blocks sit in a list item, indented by two spaces.
      const block = [`\`\`\`${fence[language]}`, ...code.split('\n'), '```'].map((l) => `  ${l}`).join('\n');
      // A boolean, not toContain: a failure would print the whole README.
      expect(readme.includes(block), `the README's ${language} block is this sample`).toBe(true);
    }
  });

  for (const language of Object.keys(runners) as SampleLanguage[]) {
    const runner = runners[language];
    const present = installed(runner.probe);
    const reason = present ? '' : ` (skipped: \`${runner.probe.join(' ')}\` does not run on this machine)`;
    it.skipIf(!present)(
      `${language}: signs as the server verifies, for users and for accounts${reason}`,
      { timeout: 60_000 },
      () => {
        // From `printf 'user-42' | openssl dgst -sha256 -hmac iv_secret`, and with `\nacme` after it.
        expect(runSample(language, 'iv_secret', 'user-42', 'acme')).toEqual({
          userHash: '9fb95b0569ac405c45ef36c14f53640dade4a90f5dcea892501b1e65fc6cda22',
          groupHash: '1898a355c07f54e5964a7644245268f242f001b7779abfda19356d67c2dd4e5c',
        });
        // A real secret and ids beyond ASCII (signed as UTF-8): what the server's own check accepts.
        const secret = newIdentitySecret();
        const [userId, groupId] = ['zoë@société.fr', 'société-générale'];
        const hashes = runSample(language, secret, userId, groupId);
        expect(verifyUserHash([secret], userId, hashes.userHash)).toBe(true);
        expect(verifyGroupHash([secret], userId, groupId, hashes.groupHash)).toBe(true);
        // And not with another secret: the sample did read the one in its environment.
        expect(verifyUserHash([newIdentitySecret()], userId, hashes.userHash)).toBe(false);
      },
    );
  }
});
