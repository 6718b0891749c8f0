package com.cps.dcs.kernel.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/** Local secret files: created on first use with random bytes and owner-only permissions, read afterwards. */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** The {@code bytes}-long secret in {@code file}, created when missing. */
  public static byte[] loadOrCreate(Path file, int bytes) {
    try {
      if (Files.exists(file)) {
        return read(file, bytes);
      }
      byte[] secret = new byte[bytes];
      RANDOM.nextBytes(secret);
      writeOwnerOnly(file, secret);
      return read(file, bytes); // another process may have won the race: use what is on disk
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the key file " + file, e);
    }
  }

  /** Writes {@code content} to {@code file} atomically, readable by the owner only; never replaces a file. */
  public static void writeOwnerOnly(Path file, byte[] content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    createOwnerOnlyDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".key", ".tmp");
    try {
      setOwnerOnly(tmp, false);
      Files.write(tmp, content);
      try {
        // A hard link never replaces an existing file (a rename would, silently, on POSIX): when several processes
        // create the same key at once, the first link wins and every process reads that one.
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException e) {
        // a concurrent creator got there first
      } catch (UnsupportedOperationException e) {
        if (!Files.exists(file)) {
          Files.move(tmp, file); // a file system without hard links: fails, never replaces, when the file exists
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    if (Files.exists(file)) {
      setOwnerOnly(file, false);
    }
  }

  static void createOwnerOnlyDirectories(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      setOwnerOnly(dir, true);
    }
  }

  private static void setOwnerOnly(Path p, boolean directory) throws IOException {
    if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
    }
  }

  private static byte[] read(Path file, int bytes) throws IOException {
    byte[] secret = Files.readAllBytes(file);
    if (secret.length != bytes) {
      throw new IOException("key file " + file + " holds " + secret.length + " bytes, expected " + bytes);
    }
    return secret;
  }
}
