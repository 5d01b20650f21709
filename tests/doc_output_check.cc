// Checks that an output block of the user guide is what its example prints, so that the guide
// cannot drift from the code it shows. A block is marked in the Markdown by a comment line right
// before its fence:
//
//   <!-- output of omnichannel_handoff -->            the block is the program's whole output
//   <!-- output of routing_basics, first part -->     the block is the start of its output
//
// Usage: doc_output_check <doc.md> <example name> <example binary>. Exit 0 when the block
// matches, 1 with the first differing line otherwise, 2 on a usage or I/O error.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The fenced block after `marker` (without its fences); false when there is none.
bool FindBlock(const std::vector<std::string>& doc, const std::string& marker,
               std::vector<std::string>* block) {
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc[i] != marker) continue;
    if (i + 1 >= doc.size() || doc[i + 1].rfind("```", 0) != 0) return false;
    for (std::size_t j = i + 2; j < doc.size(); ++j) {
      if (doc[j].rfind("```", 0) == 0) return true;
      block->push_back(doc[j]);
    }
    return false;  // no closing fence
  }
  return false;
}

bool Run(const std::string& binary, std::string* output) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(binary.c_str(), "r"), pclose);
  if (pipe == nullptr) return false;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0;) {
    output->append(buffer, n);
  }
  return pclose(pipe.release()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: doc_output_check <doc.md> <example name> <example binary>\n";
    return 2;
  }
  const std::string doc_path = argv[1], name = argv[2], binary = argv[3];
  std::ifstream in(doc_path);
  std::stringstream doc_text;
  doc_text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    std::cerr << "cannot read " << doc_path << "\n";
    return 2;
  }
  const std::vector<std::string> doc = Lines(doc_text.str());
  std::vector<std::string> block;
  bool whole = true;
  if (!FindBlock(doc, "<!-- output of " + name + " -->", &block)) {
    whole = false;
    block.clear();
    if (!FindBlock(doc, "<!-- output of " + name + ", first part -->", &block)) {
      std::cerr << doc_path << ": no marked output block for " << name << "\n";
      return 2;
    }
  }
  std::string output_text;
  if (!Run(binary, &output_text)) {
    std::cerr << binary << " failed or could not run\n";
    return 2;
  }
  const std::vector<std::string> output = Lines(output_text);
  for (std::size_t i = 0; i < block.size(); ++i) {
    if (i >= output.size() || block[i] != output[i]) {
      std::cerr << doc_path << ", output of " << name << ", line " << i + 1
                << ":\n  the guide: " << block[i]
                << "\n  the program: " << (i < output.size() ? output[i] : "(end)") << "\n";
      return 1;
    }
  }
  if (whole && output.size() != block.size()) {
    std::cerr << doc_path << ", output of " << name << ": the guide shows " << block.size()
              << " lines, the program printed " << output.size() << "\n";
    return 1;
  }
  std::cout << doc_path << ": the output of " << name << " matches (" << block.size()
            << " lines)\n";
  return 0;
}
