/**
 * Where the samples read the identity secret from: the customer's server environment, never the page.
 */
export const identitySecretVariable = 'WAYMARK_IDENTITY_SECRET';

/** A language the Install page shows identity-verification code in. */
export type SampleLanguage = 'Node' | 'Python' | 'Ruby' | 'PHP' | 'Go';

/**
 * Server-side code that computes the two signatures identity verification checks (README, "Identity
 * verification"): `userHash = HMAC-SHA256(identitySecret, userId)` and `groupHash =
 * HMAC-SHA256(identitySecret, userId + "\n" + groupId)`, both in hex. Each reads the secret from
 * `WAYMARK_IDENTITY_SECRET` and expects `userId` and `groupId` (in the language's naming) to be in
 * scope. The README prints the same text; test/server/console/identity-samples.test.ts runs them and
 * compares with the server's own check.
 *
 * @example
 * identitySamples.find((s) => s.language === 'Node')?.code // "// Node\nconst crypto = require('node:crypto');…"
 */
export const identitySamples: ReadonlyArray<{ language: SampleLanguage; code: string }> = [
  {
    language: 'Node',
    code: [
      '// Node',
      "const crypto = require('node:crypto');",
      `const secret = process.env.${identitySecretVariable}; // iv_...`,
      "const sign = (message) => crypto.createHmac('sha256', secret).update(message).digest('hex');",
      'const userHash = sign(userId);',
      // The JavaScript sample's own template literal, escaped here: `${userId}\n${groupId}` in the text.
      `const groupHash = sign(\`\${userId}\\n\${groupId}\`);`,
    ].join('\n'),
  },
  {
    language: 'Python',
    code: [
      '# Python',
      'import hmac, hashlib, os',
      `secret = os.environ["${identitySecretVariable}"]  # iv_...`,
      'sign = lambda message: hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()',
      'user_hash = sign(user_id)',
      'group_hash = sign(f"{user_id}\\n{group_id}")',
    ].join('\n'),
  },
  {
    language: 'Ruby',
    code: [
      '# Ruby',
      "require 'openssl'",
      `secret = ENV.fetch('${identitySecretVariable}') # iv_...`,
      "user_hash = OpenSSL::HMAC.hexdigest('SHA256', secret, user_id)",
      'group_hash = OpenSSL::HMAC.hexdigest(\'SHA256\', secret, "#{user_id}\\n#{group_id}")',
    ].join('\n'),
  },
  {
    language: 'PHP',
    code: [
      '// PHP (double quotes: "\\n" is a line feed)',
      `$secret = getenv('${identitySecretVariable}'); // iv_...`,
      "$userHash = hash_hmac('sha256', $userId, $secret);",
      '$groupHash = hash_hmac(\'sha256\', $userId . "\\n" . $groupId, $secret);',
    ].join('\n'),
  },
  {
    language: 'Go',
    code: [
      '// Go: crypto/hmac, crypto/sha256, encoding/hex, os',
      `secret := os.Getenv("${identitySecretVariable}") // iv_...`,
      'sign := func(message string) string {',
      '    mac := hmac.New(sha256.New, []byte(secret))',
      '    mac.Write([]byte(message))',
      '    return hex.EncodeToString(mac.Sum(nil))',
      '}',
      'userHash := sign(userID)',
      'groupHash := sign(userID + "\\n" + groupID)',
    ].join('\n'),
  },
];
