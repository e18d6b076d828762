"""The archive file underneath `store.Archive`: how its bytes are written (`atomic`), read and
checked (`check`), handed to TinyDB (`tinydb_adapter`), and how a batch add is worked out before
anything is written (`plan`). Nothing here takes the lock: `store` does, around all of it."""
