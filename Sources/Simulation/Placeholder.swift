// The engine lands with its issue; this file keeps the target buildable meanwhile.
