package io.jscluster.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.ParamTree;
import com.sun.source.doctree.ReferenceTree;
import com.sun.source.doctree.ReturnTree;
import com.sun.source.util.DocTreePath;
import com.sun.source.util.DocTreePathScanner;
import com.sun.source.util.DocTrees;
import com.sun.source.util.TreePath;
import java.util.Set;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.DocumentationTool;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import jdk.javadoc.doclet.Doclet;
import jdk.javadoc.doclet.DocletEnvironment;
import jdk.javadoc.doclet.Reporter;
import org.junit.jupiter.api.Test;

/**
 * The project's Javadoc gate: runs the JDK's javadoc tool over the main sources of every module
 * with a checking doclet and fails on any public or protected type, constructor, method or field
 * (what javadoc documents) without a doc comment, the rule of javadoc's doclint {@code missing}
 * group. Missing {@code @param} and {@code @return} tags are not required: the standard is a short
 * comment saying what each public element promises. Every {@code @link}, {@code @see} and
 * {@code @throws} reference in those comments must resolve, every {@code @param} must name a
 * parameter and {@code @return} must not document what returns nothing (the errors that fail
 * {@code mvn javadoc:javadoc} in practice).
 */
class JavadocCoverageTest {

  private static final List<String> MODULES = List.of("jscluster-codec", "jscluster-raft", "jscluster-core",
      "jscluster-bench", "jscluster-test-support");

  static Path root() {
    String r = System.getProperty("jscluster.root");
    if (r != null && !r.isBlank() && Files.isDirectory(Paths.get(r, "jscluster-core"))) {
      return Paths.get(r);
    }
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("jscluster-core"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root");
    }
    return p;
  }

  /**
   * A doclet that generates nothing: it records every included type and every included
   * constructor, method and field that has no doc comment. Mandated or synthetic elements (record
   * accessors, enum {@code values}) and methods that override a documented supertype method (their
   * comment is inherited, as javadoc's doclint allows) are not counted.
   */
  public static final class MissingComments implements Doclet {
    static final List<String> FOUND = new ArrayList<>();

    @Override
    public void init(Locale locale, Reporter reporter) {}

    @Override
    public String getName() {
      return "MissingComments";
    }

    @Override
    public Set<? extends Option> getSupportedOptions() {
      return Set.of();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latest();
    }

    @Override
    public boolean run(DocletEnvironment env) {
      DocTrees trees = env.getDocTrees();
      Elements el = env.getElementUtils();
      Types types = env.getTypeUtils();
      for (TypeElement t : ElementFilter.typesIn(env.getIncludedElements())) {
        check(t, trees, el, false);
        for (Element m : t.getEnclosedElements()) {
          if (m.getKind().isClass() || m.getKind().isInterface() || !env.isIncluded(m)) {
            continue; // member types are included elements of their own
          }
          boolean inherits = m instanceof ExecutableElement ex && overridesSomething(ex, t, el, types);
          check(m, trees, el, inherits);
        }
      }
      return true;
    }

    /** Checks {@code e}'s comment; {@code inherits}: it may have none (it overrides a documented method). */
    private static void check(Element e, DocTrees trees, Elements el, boolean inherits) {
      if (el.getOrigin(e) != Elements.Origin.EXPLICIT || e.getKind() == ElementKind.RECORD_COMPONENT
          || trees.getTree(e) == null) {
        return; // implicit: record components and accessors, default constructors, enum methods
      }
      DocCommentTree doc = trees.getDocCommentTree(e);
      if (doc != null) {
        checkReferences(e, doc, trees);
        return;
      }
      if (inherits) {
        return;
      }
      TreePath path = trees.getPath(e);
      String where = path == null ? "" : path.getCompilationUnit().getSourceFile().toUri().getPath() + ":"
          + path.getCompilationUnit().getLineMap().getLineNumber(
              trees.getSourcePositions().getStartPosition(path.getCompilationUnit(), path.getLeaf()));
      FOUND.add(where + ": no comment: " + e.getKind().toString().toLowerCase(Locale.ROOT) + " "
          + (e instanceof TypeElement te ? te.getQualifiedName() : e.getEnclosingElement() + "." + e));
    }

    /**
     * Records every {@code @link}, {@code @see} or {@code @throws} target that does not resolve,
     * {@code @param} naming no parameter, and {@code @return} on what returns nothing: the javadoc
     * errors that occur in practice.
     */
    private static void checkReferences(Element e, DocCommentTree doc, DocTrees trees) {
      TreePath path = trees.getPath(e);
      if (path == null) {
        return;
      }
      DocTreePath docPath = new DocTreePath(path, doc);
      new DocTreePathScanner<Void, Void>() {
        @Override
        public Void visitReturn(ReturnTree ret, Void unused) {
          if (!(e instanceof ExecutableElement ex) || ex.getReturnType().getKind() == TypeKind.VOID) {
            FOUND.add(path.getCompilationUnit().getSourceFile().toUri().getPath() + ": invalid use of @return"
                + " in the comment of " + e);
          }
          return super.visitReturn(ret, unused);
        }

        @Override
        public Void visitParam(ParamTree param, Void unused) {
          String name = param.getName().getName().toString();
          java.util.List<? extends Element> named;
          if (param.isTypeParameter()) {
            named = e instanceof ExecutableElement ex ? ex.getTypeParameters()
                : e instanceof TypeElement te ? te.getTypeParameters() : List.of();
          } else if (e instanceof ExecutableElement ex) {
            named = ex.getParameters();
          } else if (e instanceof TypeElement te && te.getKind() == ElementKind.RECORD) {
            named = te.getRecordComponents();
          } else {
            named = List.of();
          }
          if (named.stream().noneMatch(x -> x.getSimpleName().contentEquals(name))) {
            FOUND.add(path.getCompilationUnit().getSourceFile().toUri().getPath() + ": @param " + name
                + " not found in the comment of " + e);
          }
          return super.visitParam(param, unused);
        }

        @Override
        public Void visitReference(ReferenceTree ref, Void unused) {
          if (trees.getElement(getCurrentPath()) == null) {
            FOUND.add(path.getCompilationUnit().getSourceFile().toUri().getPath() + ": reference not found: "
                + ref.getSignature() + " in the comment of " + e);
          }
          return null;
        }
      }.scan(docPath, null);
    }

    private static boolean overridesSomething(ExecutableElement m, TypeElement owner, Elements el, Types types) {
      if (m.getKind() != ElementKind.METHOD) {
        return false;
      }
      java.util.ArrayDeque<TypeMirror> todo = new java.util.ArrayDeque<>(types.directSupertypes(owner.asType()));
      Set<String> seen = new java.util.HashSet<>();
      while (!todo.isEmpty()) {
        TypeMirror tm = todo.poll();
        Element se = types.asElement(tm);
        if (!(se instanceof TypeElement st) || !seen.add(st.getQualifiedName().toString())) {
          continue;
        }
        for (ExecutableElement other : ElementFilter.methodsIn(st.getEnclosedElements())) {
          if (el.overrides(m, other, owner)) {
            return true;
          }
        }
        todo.addAll(types.directSupertypes(tm));
      }
      return false;
    }
  }

  @Test
  void everyPublicTypeMethodConstructorAndFieldHasAComment() throws IOException {
    Path root = root();
    List<String> sourcePath = new ArrayList<>();
    for (String m : MODULES) {
      sourcePath.add(root.resolve(m).resolve("src/main/java").toString());
    }
    DocumentationTool tool = ToolProvider.getSystemDocumentationTool();
    StringWriter log = new StringWriter();
    List<String> options = List.of("-quiet", "-sourcepath", String.join(java.io.File.pathSeparator, sourcePath),
        "-subpackages", "io.jscluster", "-cp", System.getProperty("java.class.path"));
    MissingComments.FOUND.clear();
    Boolean ok;
    try (StandardJavaFileManager fm = tool.getStandardFileManager(null, Locale.ROOT, null)) {
      ok = tool.getTask(new PrintWriter(log), fm, null, MissingComments.class, options, null).call();
    }
    assertThat(ok).as(log.toString()).isTrue();
    List<String> missing = new ArrayList<>();
    for (String f : MissingComments.FOUND) {
      missing.add(f.startsWith(root.toString()) ? f.substring(root.toString().length() + 1) : f);
    }
    System.out.println("javadoc gate: " + missing.size() + " findings");
    assertThat(missing).as("public or protected types, constructors, methods and fields without Javadoc")
        .isEmpty();
  }
}
