package dev.dispatcher.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * What a clone carries for its users: the license, declared in the poms; documents whose links all
 * lead somewhere inside the clone; the coordinates README tells users to depend on.
 */
class DistributionTest {

  private static final Path ROOT = Path.of(System.getProperty("dispatcher.project.root", "..")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("dispatcher.version", "0.1.0-SNAPSHOT");
  /** SHA-256 of the Apache License 2.0 as the ASF publishes it (LICENSE-2.0.txt). */
  private static final String APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30";
  /** A Markdown link or image: [text](target). */
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

  @Test
  void theLicenseIsTheFullApache2TextAndTheParentPomDeclaresIt() throws Exception {
    byte[] license = Files.readAllBytes(ROOT.resolve("LICENSE"));
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(license)))
        .as("LICENSE must be the standard Apache-2.0 text, unchanged").isEqualTo(APACHE_2_SHA256);

    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
    Element licenses = (Element) pom.getDocumentElement().getElementsByTagName("licenses").item(0);
    assertThat(licenses).as("<licenses> in the parent pom").isNotNull();
    assertThat(licenses.getElementsByTagName("name").item(0).getTextContent()).isEqualTo("Apache-2.0");
    assertThat(licenses.getElementsByTagName("url").item(0).getTextContent()).isEqualTo("https://www.apache.org/licenses/LICENSE-2.0.txt");
  }

  @Test
  void everyLinkInTheDocumentsLeadsToAFileOrHeadingInTheClone() throws Exception {
    List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    List<String> broken = new ArrayList<>();
    for (Path document : documents) {
      String text = withoutCodeBlocks(Files.readString(document));
      assertThat(text).as("%s names a path outside the clone", ROOT.relativize(document)).doesNotContain("`../");
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // https:, mailto:
        }
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = file.isEmpty() ? document : document.getParent().resolve(file).normalize();
        if (!resolved.startsWith(ROOT)) {
          broken.add(ROOT.relativize(document) + ": " + target + " leaves the clone");
        } else if (!Files.exists(resolved)) {
          broken.add(ROOT.relativize(document) + ": " + target + " does not exist");
        } else if (anchor != null && !anchors(resolved).contains(anchor)) {
          broken.add(ROOT.relativize(document) + ": " + target + " names no heading of " + ROOT.relativize(resolved));
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  @Test
  void theReadmeGivesTheCoordinatesToDependOnWithThisVersion() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    assertThat(readme).contains("<groupId>dev.dispatcher</groupId>\n  <artifactId>dispatcher-publisher</artifactId>\n  <version>"
        + VERSION + "</version>");
    assertThat(readme).contains("dev.dispatcher:dispatcher-publisher:" + VERSION).contains("mvn -DskipTests install");
    assertThat(Files.readString(ROOT.resolve("examples/pom.xml")))
        .as("the example depends on this version of the library").contains("<dispatcher.version>" + VERSION + "</dispatcher.version>");
  }

  /** The text outside ``` fences: code may hold anything. */
  private static String withoutCodeBlocks(String markdown) {
    StringBuilder text = new StringBuilder();
    boolean inCode = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.strip().startsWith("```")) {
        inCode = !inCode;
      } else if (!inCode) {
        text.append(line).append('\n');
      }
    }
    return text.toString();
  }

  /** GitHub's anchors for the headings of a Markdown file: lower case, punctuation dropped, spaces as hyphens. */
  private static Set<String> anchors(Path file) throws Exception {
    Set<String> anchors = new LinkedHashSet<>();
    if (!file.toString().endsWith(".md")) {
      return anchors;
    }
    for (String line : withoutCodeBlocks(Files.readString(file)).split("\n")) {
      Matcher heading = Pattern.compile("^#{1,6} +(.+?) *$").matcher(line);
      if (heading.matches()) {
        anchors.add(heading.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
      }
    }
    return anchors;
  }
}
