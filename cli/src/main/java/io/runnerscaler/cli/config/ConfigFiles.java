package io.runnerscaler.cli.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading and writing the files the config commands are given, with messages that name the file. */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /** A file named on the command line cannot be read or written: a usage error, not an invalid config. */
    public static final class UnreadableFile extends Exception {
        public UnreadableFile(String message) {
            super(message);
        }
    }

    public static String read(Path file) throws UnreadableFile {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UnreadableFile(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UnreadableFile(file + ": permission denied");
        } catch (MalformedInputException e) {
            throw new UnreadableFile(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UnreadableFile(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }

    static void write(Path file, String content) throws UnreadableFile {
        try {
            Files.writeString(file, content);
        } catch (NoSuchFileException e) {
            throw new UnreadableFile(file + ": its directory does not exist");
        } catch (AccessDeniedException e) {
            throw new UnreadableFile(file + ": permission denied");
        } catch (IOException e) {
            throw new UnreadableFile(file + ": cannot write (" + e.getClass().getSimpleName() + ")");
        }
    }
}
