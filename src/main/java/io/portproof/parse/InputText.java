package io.portproof.parse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A text input read whole, after the checks that keep a wrong file from becoming a hang or a stack trace:
 * it exists, is a regular readable file, is not larger than {@link #MAX_BYTES}, and is UTF-8 text without NUL
 * bytes.
 *
 * @param path where it was read from
 * @param name how to name it in messages (the path as the user wrote it)
 * @param text its content
 */
public record InputText(Path path, String name, String text) {
  /** Far above any real export (a 50,000-rule kube-proxy dump is ~10 MiB), far below trouble. */
  public static final long MAX_BYTES = 256L * 1024 * 1024;

  public static InputText read(Path path, String name) throws InputException {
    try {
      if (!Files.exists(path)) {
        throw new InputException(name + ": no such file");
      }
      if (Files.isDirectory(path)) {
        throw new InputException(name + ": is a directory, expected a file");
      }
      if (!Files.isReadable(path)) {
        throw new InputException(name + ": permission denied");
      }
      long size = Files.size(path);
      if (size > MAX_BYTES) {
        throw new InputException(String.format("%s: %,d bytes is larger than the %,d bytes portproof reads; is this really an export?", name, size, MAX_BYTES));
      }
      byte[] bytes = Files.readAllBytes(path);
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == 0) {
          throw new InputException(name + ": binary data (NUL byte at offset " + i + "), expected a text export");
        }
      }
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return new InputText(path, name, text);
    } catch (NoSuchFileException e) {
      throw new InputException(name + ": no such file");
    } catch (CharacterCodingException e) {
      throw new InputException(name + ": not UTF-8 text, expected a text export");
    } catch (IOException e) {
      throw new InputException(name + ": cannot read: " + e.getMessage());
    }
  }

  /** Lines without their terminators; line i (0-based) is file line i+1. */
  public List<String> lines() {
    return text.lines().toList();
  }
}
