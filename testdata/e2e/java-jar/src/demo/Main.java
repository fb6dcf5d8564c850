package demo;

import java.util.Arrays;
import java.util.stream.Collectors;

/** java-jar: a CLI packaged as an executable jar (javac + jar, no Maven). */
public class Main {
    public static void main(String[] args) {
        String[] words = args.length > 0 ? args : new String[] {"distroless", "chainguard", "lambda"};
        String sorted = Arrays.stream(words).sorted().collect(Collectors.joining(","));
        int letters = Arrays.stream(words).mapToInt(String::length).sum();
        System.out.println("java-jar: " + words.length + " words, " + letters + " letters, sorted=" + sorted);
    }
}
