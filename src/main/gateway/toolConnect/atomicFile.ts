// Writing a tool's config file safely: the new content goes to a temporary file beside it and is
// renamed over the old one (a reader never sees half a file), a symlinked config (dotfile
// managers) is written where the link points, and the previous bytes are kept as a backup.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/** The file a path names once symlinks are followed; the path itself when it does not exist yet. */
export function realTarget(file: string): string {
  try {
    return fs.realpathSync(file)
  } catch {
    return file
  }
}

/** The file's bytes, or undefined when there is no such file. */
export function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Temp file + fsync + rename; keeps the old file's permission bits (new files: owner only). */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const target = realTarget(file)
  const dir = path.dirname(target)
  fs.mkdirSync(dir, { recursive: true })
  let mode = 0o600
  try {
    mode = fs.statSync(target).mode & 0o777
  } catch {
    // a new file
  }
  const tmp = path.join(dir, `.${path.basename(target)}.switchyard-${randomBytes(6).toString('hex')}.tmp`)
  const fd = fs.openSync(tmp, 'wx', mode)
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  try {
    fs.renameSync(tmp, target)
  } catch (err) {
    fs.rmSync(tmp, { force: true })
    throw err
  }
}

/** Removes a file Switchyard created (restoring "there was no such file"); missing is fine. */
export function removeFile(file: string): void {
  fs.rmSync(realTarget(file), { force: true })
}
