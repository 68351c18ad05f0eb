package io.jscluster.core.store;

/**
 * NATS subject matching: tokens are separated by {@code '.'}, {@code '*'} matches exactly one token and a final
 * {@code '>'} matches one or more remaining tokens. The empty filter and {@code ">"} match every subject.
 */
public final class SubjectFilter {
    private SubjectFilter() {
    }

    /** True when the filter matches everything. */
    public static boolean isAll(String filter) {
        return filter == null || filter.isEmpty() || filter.equals(">");
    }

    /** True when the filter contains no wildcard token, so it matches exactly one subject. */
    public static boolean isLiteral(String filter) {
        if (isAll(filter)) {
            return false;
        }
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if ((c == '*' || c == '>') && (i == 0 || filter.charAt(i - 1) == '.')
                    && (i + 1 == n || filter.charAt(i + 1) == '.')) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code subject} matches {@code filter}. */
    public static boolean matches(String filter, String subject) {
        if (isAll(filter)) {
            return true;
        }
        int fn = filter.length();
        int sn = subject.length();
        int fi = 0;
        int si = 0;
        while (true) {
            int fe = filter.indexOf('.', fi);
            if (fe < 0) {
                fe = fn;
            }
            int flen = fe - fi;
            if (flen == 1 && filter.charAt(fi) == '>' && fe == fn) {
                return si < sn;
            }
            int se = subject.indexOf('.', si);
            if (se < 0) {
                se = sn;
            }
            boolean star = flen == 1 && filter.charAt(fi) == '*';
            if (star ? se == si : (flen != se - si || !filter.regionMatches(fi, subject, si, flen))) {
                return false;
            }
            boolean filterDone = fe == fn;
            boolean subjectDone = se == sn;
            if (filterDone || subjectDone) {
                return filterDone && subjectDone;
            }
            fi = fe + 1;
            si = se + 1;
        }
    }
}
