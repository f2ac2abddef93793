// electron-builder custom Windows sign hook (win.signtoolOptions.sign), for signers other than
// Azure Trusted Signing (a hardware token on a self-hosted runner, a signing service): runs the
// command in SWITCHYARD_WIN_SIGN_COMMAND once per file, with {file} replaced by the file's path.
// A non-zero exit fails the build: nothing unsigned is published.
const { spawnSync } = require('node:child_process')

/** @param {{ path: string }} configuration */
exports.default = async function sign(configuration) {
  const template = process.env.SWITCHYARD_WIN_SIGN_COMMAND
  if (!template) throw new Error('SWITCHYARD_WIN_SIGN_COMMAND is not set: no way to sign ' + configuration.path)
  if (!template.includes('{file}')) throw new Error('SWITCHYARD_WIN_SIGN_COMMAND must contain {file}, where the path to sign goes')
  const command = template.split('{file}').join(`"${configuration.path}"`)
  const run = spawnSync(command, { shell: true, stdio: 'inherit' })
  if (run.status !== 0) throw new Error(`signing ${configuration.path} failed (exit ${run.status})`)
}
