package com.cps.dcs.kernel.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    createExclusively(file, content, true);
    if (Files.exists(file)) {
      setOwnerOnly(file, false);
    }
  }

  /**
   * Writes {@code content} to {@code file} unless it exists, never replacing it: written in full to a temporary file,
   * then linked under its name (a hard link fails when the name exists; a rename would replace it). Where the file
   * system has no hard links, a move without replacement (checked, then renamed) is the fallback.
   */
  public static void createExclusively(Path file, byte[] content, boolean ownerOnly) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      restrict(dir, "rwx------");
    }
    Path tmp = Files.createTempFile(dir, ".key", ".tmp");
    try {
      if (ownerOnly) {
        restrict(tmp, "rw-------");
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      if (!ownerOnly) {
        restrict(tmp, "rw-r--r--");
      }
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException raced) {
        // another service created it first: everyone uses that one
      } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
        if (!Files.exists(file)) {
          try {
            Files.move(tmp, file);
          } catch (FileAlreadyExistsException raced) {
            // created meanwhile
          }
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void restrict(Path p, String permissions) throws IOException {
    if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
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
