// Preload (placeholder until the desktop shell lands).
export {}
