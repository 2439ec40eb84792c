#pragma once
// The files the engine keeps beside a database (checkpoints, backbones, fitted vocabularies, feature
// caches) are written whole or not at all, and a full disk is a sentence, not an abort.
#include <functional>
#include <ostream>
#include <string>

namespace pretext {

// Writes what `write` puts into the stream to `path`, whole or not at all: into path + ".tmp" beside
// it (the folder is created), flushed to the disk, then renamed over path. A failure (a full disk, a
// read-only or missing folder, a writer that throws) removes the temporary and throws
// std::runtime_error naming path and the system's reason; whatever path held before stays.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// What `write` puts into the stream, written to the open descriptor fd. Returns 0, or the errno of
// the first failed write (ENOSPC on a full disk): the bytes after a failure are dropped rather than
// reported to the writer, so that a writer which cannot handle a failing stream (LibTorch's archive
// aborts the process from a destructor) finishes normally and the caller reports the error.
int write_stream(int fd, const std::function<void(std::ostream&)>& write);

}  // namespace pretext
