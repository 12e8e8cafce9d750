# profiles: standard hardened dev
# expect-limit: memory
# Allocating (and touching) memory stops at the memory limit.
chunks = []
total = 0
try:
    while total < (8 << 30):
        b = bytearray(64 << 20)
        b[::4096] = b"\1" * (16 << 10)  # one byte a page: resident
        chunks.append(b)
        total += 64 << 20
    print("ESCAPED memory bomb: %d MiB" % (total >> 20))
except MemoryError:
    chunks = None
    print("held memory bomb at %d MiB" % (total >> 20))
