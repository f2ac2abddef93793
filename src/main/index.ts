// Electron entry (placeholder until the desktop shell lands).
import { app } from 'electron'

void app.whenReady().then(() => app.quit())
